/**
 * The deploy path at the wire: `npm run deploy -- dev` runs the real nango CLI against a stand-in for Nango's API on
 * 127.0.0.1 (NANGO_HOSTPORT), and the stand-in checks what arrives: the two calls `nango deploy` makes
 * (node_modules/nango/dist/zeroYaml/deploy.js: POST /sync/deploy/confirmation, then POST /sync/deploy), the bearer key,
 * and every sync and action index.ts lists, with its models and frequency. Refusals (no key, empty key, no
 * environment) must exit non-zero before any request.
 *
 * The CLI compiles before deploying, so it runs on a copy of nango-integrations/ (and models.ts) in a temporary
 * folder: the repository's own build/ and .nango/ stay untouched while other tests read them. Each argument refusal
 * but one runs scripts/deploy.ts's main in this process: a refusal returns before any CLI could start. Every spawned
 * process preloads support/loopback-only.mjs, which refuses any connection off the loopback: nothing can reach Nango's
 * cloud.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { deployArgs, main, parseDeployRequest } from '../../scripts/deploy.js';
import { readEntryPoints, ROOT } from '../../scripts/nango-folder.js';

const DUMMY_KEY = 'dummy-secret-key-0f4c2b7e-not-real';
const GUARD = path.join(ROOT, 'tests/tooling/support/loopback-only.mjs');
// The names issue 2 promises to the backend: they must always be deployed.
const KNOWN = {
    'google-mail': { syncs: ['gmail-threads', 'gmail-contacts'], actions: ['send-email', 'reply-email'] },
    salesforce: { syncs: ['salesforce-leads', 'salesforce-opportunities'], actions: ['create-lead', 'update-opportunity'] },
    'google-calendar': { syncs: ['events'], actions: ['create-event', 'update-event'] }
};

interface Recorded {
    method: string;
    url: string;
    authorization: string | undefined;
    body: Record<string, unknown>;
}

interface FlowConfig {
    syncName: string;
    providerConfigKey: string;
    type: 'sync' | 'action';
    models: string[];
    runs: string | null;
    input?: string;
    version: string;
    auto_start?: boolean;
    fileBody: { js: string; ts: string };
    models_json_schema: { definitions: Record<string, { properties?: Record<string, unknown> }> };
}

/** What a stand-in answers to the confirmation call, beyond the plan it derives from the package. */
let deletedModels: string[] = [];
const requests: Recorded[] = [];

function json(res: http.ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
}

function plan(flowConfigs: FlowConfig[]): Record<string, unknown> {
    const syncs = flowConfigs.filter((f) => f.type === 'sync');
    const actions = flowConfigs.filter((f) => f.type === 'action');
    return {
        newSyncs: syncs.map((s) => ({
            name: s.syncName,
            providerConfigKey: s.providerConfigKey,
            connections: 0,
            auto_start: s.auto_start
        })),
        updatedSyncs: [],
        deletedSyncs: [],
        newActions: actions.map((a) => ({ name: a.syncName, providerConfigKey: a.providerConfigKey })),
        updatedActions: [],
        deletedActions: [],
        newOnEventScripts: [],
        updatedOnEventScripts: [],
        deletedOnEventScripts: [],
        deletedModels
    };
}

/** A stand-in for the two endpoints of Nango's API that `nango deploy` calls; anything else is a 404 and recorded. */
function standIn(): http.Server {
    return http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => chunks.push(chunk));
        req.on('end', () => {
            const raw = Buffer.concat(chunks).toString('utf8');
            let body: Record<string, unknown>;
            try {
                body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
            } catch {
                json(res, 400, { error: { message: 'Invalid JSON body', code: 'invalid_body' } });
                return;
            }
            requests.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization, body });
            if (req.headers.authorization !== `Bearer ${DUMMY_KEY}`) {
                json(res, 401, {
                    error: { message: 'Authentication failed. The provided secret key is invalid.', code: 'unknown_account' }
                });
                return;
            }
            const flowConfigs = (body['flowConfigs'] ?? []) as FlowConfig[];
            if (req.method === 'POST' && req.url === '/sync/deploy/confirmation') {
                json(res, 200, plan(flowConfigs));
            } else if (req.method === 'POST' && req.url === '/sync/deploy') {
                json(
                    res,
                    200,
                    flowConfigs.map((f) => ({ name: f.syncName, version: f.version }))
                );
            } else {
                json(res, 404, { error: { message: `No route ${req.method} ${req.url}`, code: 'not_found' } });
            }
        });
    });
}

let server: http.Server;
let hostport: string;
let workdir: string;
let copy: string;

/** `npm run deploy -- <args>` in the repository, as CI runs it, with only the loopback reachable. */
function npmDeploy(args: string[], env: Record<string, string | undefined>): Promise<{ code: number | null; output: string }> {
    const childEnv: NodeJS.ProcessEnv = { ...process.env };
    for (const name of Object.keys(childEnv)) {
        if (name.startsWith('NANGO_') || name === 'ALLOW_DESTRUCTIVE') {
            delete childEnv[name];
        }
    }
    Object.assign(childEnv, {
        NANGO_HOSTPORT: hostport,
        NODE_OPTIONS: `${process.env['NODE_OPTIONS'] ?? ''} --import ${pathToFileURL(GUARD).href}`.trim(),
        npm_config_update_notifier: 'false',
        CI: 'true'
    });
    for (const [name, value] of Object.entries(env)) {
        if (value === undefined) {
            delete childEnv[name];
        } else {
            childEnv[name] = value;
        }
    }
    const npm = process.env['npm_execpath'];
    const [command, prefix] = npm ? [process.execPath, [npm]] : ['npm', []];
    return new Promise((resolve, reject) => {
        const child = spawn(command, [...prefix, 'run', '--silent', 'deploy', '--', ...args], {
            cwd: ROOT,
            env: childEnv,
            stdio: ['ignore', 'pipe', 'pipe']
        });
        let output = '';
        child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
        child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
        // A hung CLI must not outlive its test and send requests into the next one.
        const deadline = setTimeout(() => child.kill('SIGKILL'), 110_000);
        child.on('error', reject);
        child.on('close', (code) => {
            clearTimeout(deadline);
            resolve({ code, output });
        });
    });
}

function copyNangoFolder(to: string): void {
    fs.cpSync(path.join(ROOT, 'nango-integrations'), path.join(to, 'nango-integrations'), {
        recursive: true,
        filter: (source) => !/[\\/]nango-integrations[\\/](build|dist|\.nango[\\/].+)$/.test(source)
    });
    fs.copyFileSync(path.join(ROOT, 'models.ts'), path.join(to, 'models.ts'));
    // `"type": "module"` makes the scripts ES modules for the CLI's type-check, as in the repository.
    fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(to, 'package.json'));
    // The scripts resolve nango and zod (and the CLI its type-check) through the repository's node_modules.
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(to, 'node_modules'), 'dir');
}

beforeAll(async () => {
    server = standIn();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    hostport = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    workdir = fs.mkdtempSync(path.join(os.tmpdir(), 'deploy-test-'));
    copyNangoFolder(workdir);
    copy = path.join(workdir, 'nango-integrations');
});

afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    fs.rmSync(workdir, { recursive: true, force: true });
});

beforeEach(() => {
    requests.length = 0;
    deletedModels = [];
});

function noGuardHit(output: string): void {
    expect(output).not.toContain('LOOPBACK-GUARD');
}

describe('npm run deploy -- dev, against a stand-in for Nango', () => {
    // nango deploy type-checks and bundles every script first: ~10 s alone, more on a busy machine.
    it('sends every sync and action of index.ts with its models and frequency, with the dummy key', { timeout: 120_000 }, async () => {
        const { code, output } = await npmDeploy(['dev', '--dir', copy], { NANGO_SECRET_KEY_DEV: DUMMY_KEY });
        expect(code, output).toBe(0);
        noGuardHit(output);
        expect(output).not.toContain(DUMMY_KEY);
        expect(requests.map((r) => `${r.method} ${r.url}`)).toEqual(['POST /sync/deploy/confirmation', 'POST /sync/deploy']);
        for (const request of requests) {
            expect(request.authorization).toBe(`Bearer ${DUMMY_KEY}`);
        }
        const [confirmation, deployment] = requests as [Recorded, Recorded];
        expect(confirmation.body['reconcile']).toBe(false);
        expect(deployment.body['reconcile']).toBe(true);

        const flows = deployment.body['flowConfigs'] as FlowConfig[];
        const sent = flows.map((f) => `${f.providerConfigKey}/${f.type}s/${f.syncName}`).sort();
        const all = readEntryPoints(copy);
        // On-event scripts travel apart from the flows: onEventScriptsByProvider (zeroYaml/deploy.js).
        const entries = all.filter((e) => e.kind !== 'on-events');
        expect(sent).toEqual(entries.map((e) => `${e.integration}/${e.kind}/${e.name}`).sort());
        const onEvents = (deployment.body['onEventScriptsByProvider'] ?? []) as {
            providerConfigKey: string;
            scripts: { name: string; event: string; fileBody: { js: string; ts: string } }[];
        }[];
        const sentEvents = onEvents.flatMap((p) => p.scripts.map((script) => `${p.providerConfigKey}/on-events/${script.name}`)).sort();
        expect(sentEvents).toEqual(
            all
                .filter((e) => e.kind === 'on-events')
                .map((e) => `${e.integration}/${e.kind}/${e.name}`)
                .sort()
        );
        for (const provider of onEvents) {
            for (const script of provider.scripts) {
                const file = path.join(copy, provider.providerConfigKey, 'on-events', `${script.name}.ts`);
                expect(script.fileBody.ts).toBe(fs.readFileSync(file, 'utf8'));
                expect(script.event).toBe(((await import(pathToFileURL(file).href)) as { default: { event: string } }).default.event);
            }
        }
        for (const [integration, names] of Object.entries(KNOWN)) {
            for (const name of names.syncs) {
                expect(sent).toContain(`${integration}/syncs/${name}`);
            }
            for (const name of names.actions) {
                expect(sent).toContain(`${integration}/actions/${name}`);
            }
        }

        for (const entry of entries) {
            const flow = flows.find((f) => f.providerConfigKey === entry.integration && f.syncName === entry.name)!;
            const script = ((await import(pathToFileURL(entry.file).href)) as { default: Record<string, unknown> }).default;
            expect(flow.fileBody.ts).toBe(fs.readFileSync(entry.file, 'utf8'));
            expect(flow.fileBody.js.length).toBeGreaterThan(0);
            if (entry.kind === 'syncs') {
                const models = script['models'] as Record<string, { shape: Record<string, unknown> }>;
                expect(flow.type).toBe('sync');
                expect(flow.runs).toBe(script['frequency']);
                expect(flow.auto_start).toBe(script['autoStart'] === true);
                expect(flow.models).toEqual(Object.keys(models));
                for (const [name, model] of Object.entries(models)) {
                    expect(Object.keys(flow.models_json_schema.definitions[name]?.properties ?? {}), name).toEqual(
                        Object.keys(model.shape)
                    );
                }
            } else {
                expect(flow.type).toBe('action');
                expect(flow.runs).toBeNull();
                expect(flow.input).toBeDefined();
                const input = flow.models_json_schema.definitions[flow.input!];
                const inputShape = (script['input'] as { shape?: Record<string, unknown> }).shape ?? {};
                expect(Object.keys(input?.properties ?? {})).toEqual(Object.keys(inputShape));
                expect(flow.models).toHaveLength(1);
                expect(flow.models_json_schema.definitions[flow.models[0]!]).toBeDefined();
            }
        }
    });

    // A refused run also proves the wrapper passes on the CLI's failure exit code.
    it('stops before deploying when the plan removes a model and destructive changes are not allowed', { timeout: 120_000 }, async () => {
        deletedModels = ['RetiredModel'];
        const { code, output } = await npmDeploy(['dev', '--dir', copy], { NANGO_SECRET_KEY_DEV: DUMMY_KEY });
        expect(code, output).not.toBe(0);
        noGuardHit(output);
        expect(output).toContain('--allow-destructive');
        expect(requests.map((r) => r.url)).toEqual(['/sync/deploy/confirmation']);
    });
});

describe('the nango deploy command line', () => {
    const env = { NANGO_SECRET_KEY_DEV: DUMMY_KEY };

    it('auto-confirms without prompts, dependency updates or telemetry, and allows destructive changes only when asked', () => {
        const plain = deployArgs(parseDeployRequest(['dev'], env));
        expect(plain).toEqual(['deploy', 'dev', '--auto-confirm', '--no-interactive', '--no-dependency-update', '--no-telemetry']);
        expect(deployArgs(parseDeployRequest(['dev', '--allow-destructive'], env))).toContain('--allow-destructive');
        expect(deployArgs(parseDeployRequest(['dev'], { ...env, ALLOW_DESTRUCTIVE: 'true' }))).toContain('--allow-destructive');
        expect(deployArgs(parseDeployRequest(['dev'], { ...env, ALLOW_DESTRUCTIVE: 'false' }))).not.toContain('--allow-destructive');
    });
});

/** scripts/deploy.ts's main in this process: refusals return before any CLI runs, so nothing can be sent. */
async function deployInProcess(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; output: string }> {
    let output = '';
    const capture = (chunk: string | Uint8Array): boolean => {
        output += String(chunk);
        return true;
    };
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(capture);
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(capture);
    try {
        return { code: await main(args, env), output };
    } finally {
        stdout.mockRestore();
        stderr.mockRestore();
    }
}

describe('npm run deploy refuses before calling Nango', () => {
    it('without the environment key, naming NANGO_SECRET_KEY_DEV', async () => {
        const { code, output } = await npmDeploy(['dev', '--dir', copy], { NANGO_SECRET_KEY: DUMMY_KEY, NANGO_SECRET_KEY_PROD: DUMMY_KEY });
        expect(code).not.toBe(0);
        expect(output).toContain('NANGO_SECRET_KEY_DEV');
        expect(requests).toEqual([]);
    });

    it('with an empty key', async () => {
        const { code, output } = await deployInProcess(['prod', '--dir', copy], { NANGO_HOSTPORT: hostport, NANGO_SECRET_KEY_PROD: '  ' });
        expect(code).not.toBe(0);
        expect(output).toContain('NANGO_SECRET_KEY_PROD');
        expect(requests).toEqual([]);
    });

    it('without an environment, or with one that is not a name', async () => {
        const env = { NANGO_HOSTPORT: hostport, NANGO_SECRET_KEY_DEV: DUMMY_KEY };
        const none = await deployInProcess(['--dir', copy], env);
        expect(none.code).not.toBe(0);
        expect(none.output).toContain('no environment given');
        const bad = await deployInProcess(['Prod!', '--dir', copy], env);
        expect(bad.code).not.toBe(0);
        expect(bad.output).toContain('not a Nango environment name');
        expect(requests).toEqual([]);
    });
});
