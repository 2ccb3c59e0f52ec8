import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScript, RecordsStore, REPO_ROOT, runOnEvent, runSync, runWebhook, VirtualClock } from '../../runtime/index.js';
import { FIXTURES_DIR } from './support/fixtures.js';

const conn = { integration: 'google-mail', connectionId: 'local' };

/**
 * The fixtures are compiled with the real `nango compile` into a scratch copy (so build/ and .nango/nango.json never
 * land in the repository), then the same probes run from the TypeScript (bundled by us) and from Nango's bundles.
 */
let compiledDir = '';

beforeAll(async () => {
    compiledDir = mkdtempSync(join(tmpdir(), 'runtime-compiled-'));
    cpSync(FIXTURES_DIR, compiledDir, { recursive: true });
    writeFileSync(join(compiledDir, 'package.json'), JSON.stringify({ type: 'module', private: true }));
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(compiledDir, 'node_modules'), 'dir');
    // process.execPath: the CLI needs Node 22, whatever `node` is first on the PATH.
    const cli = join(REPO_ROOT, 'node_modules', 'nango', 'dist', 'index.js');
    try {
        await promisify(execFile)(process.execPath, [cli, 'compile', '--no-dependency-update', '--no-telemetry'], {
            cwd: compiledDir,
            env: { ...process.env, NANGO_CLI_TELEMETRY: 'false' }
        });
    } catch (err) {
        const { stdout, stderr } = err as { stdout?: string; stderr?: string };
        throw new Error(`nango compile failed on the runtime fixtures:\n${stdout ?? ''}${stderr ?? ''}`, { cause: err });
    }
});

afterAll(() => {
    if (compiledDir) rmSync(compiledDir, { recursive: true, force: true });
});

describe.each(['source', 'compiled'] as const)('the sandbox, running the %s script', (from) => {
    async function probe(name: string) {
        const store = new RecordsStore();
        store.setMetadata(conn, { probe: name });
        const clock = new VirtualClock();
        const integrationsDir = from === 'source' ? FIXTURES_DIR : compiledDir;
        const result = await runSync({ integration: 'google-mail', name: 'probe', store, clock, from, integrationsDir });
        const saved = store.liveRecords(conn, 'Probe')[0]?.['result'];
        return { result, saved, clock };
    }

    it.each([
        ['fetch', /fetch is not defined/],
        ['process', /process is not defined/],
        ['TextEncoder', /TextEncoder is not defined/],
        ['eval', /Code generation from strings disallowed/],
        ['require-fs', /Module 'fs' is not allowed/]
    ])('refuses %s, which Nango sandbox lacks', async (name, message) => {
        const { result, saved } = await probe(name);
        expect(result.status).toBe('failed');
        expect(result.error?.message).toMatch(message);
        expect(result.error?.stack?.[0]).toMatch(/probe\.ts|google-mail_syncs_probe\.cjs/);
        expect(saved).toBeUndefined();
    });

    it("refuses 'node:crypto' when the script loads", async () => {
        const store = new RecordsStore();
        const integrationsDir = from === 'source' ? FIXTURES_DIR : compiledDir;
        const result = await runSync({
            integration: 'google-mail',
            name: 'node-crypto',
            store,
            from,
            integrationsDir,
            clock: new VirtualClock()
        });
        expect(result.status).toBe('failed');
        expect(result.error?.message).toMatch(/Module 'node:crypto' is not allowed/);
    });

    it('offers crypto, Buffer, URL and URLSearchParams', async () => {
        const { result, saved } = await probe('allowed');
        expect(result.status).toBe('success');
        const hash = createHash('sha256').update(Buffer.from('héllo', 'utf8')).digest('hex').slice(0, 8);
        expect(saved).toBe(`c|${hash}|hi|36`);
    });

    it("paces setTimeout and Date on the run's clock", async () => {
        const { result, saved, clock } = await probe('clock');
        expect(result.status).toBe('success');
        const start = new VirtualClock().now();
        expect(saved).toBe(`${start}|${start}|5000|1970-01-01T00:00:00.000Z|string|1|${Date.UTC(2020, 0, 1)}`);
        expect(clock.now()).toBe(start + 5000);
    });

    it("loads an on-event script from on-events/ and runs a sync's onWebhook", async () => {
        const store = new RecordsStore();
        store.setMetadata(conn, { refuse: 'refused from the bundle' });
        const integrationsDir = from === 'source' ? FIXTURES_DIR : compiledDir;
        const common = { integration: 'google-mail', store, from, integrationsDir, clock: new VirtualClock() };
        const refused = await runOnEvent({ ...common, name: 'validate-connection', event: 'validate-connection' });
        expect(refused).toMatchObject({
            status: 'failed',
            error: { error_type: 'script_internal_error', message: 'refused from the bundle' }
        });
        const pushed = await runWebhook({ ...common, name: 'pushed', payload: { items: [{ id: 'a', n: 1, label: null }] } });
        expect(pushed).toMatchObject({ status: 'success', byModel: { PushedItem: { added: 1, updated: 0, deleted: 0 } } });
    });
});

describe('loadScript', () => {
    it('bundles again when the script or a file it imports changes', async () => {
        const dir = mkdtempSync(join(tmpdir(), 'runtime-reload-'));
        try {
            mkdirSync(join(dir, 'google-mail', 'syncs'), { recursive: true });
            const helper = join(dir, 'google-mail', 'version.ts');
            const write = (version: string) => writeFileSync(helper, `export const VERSION = '${version}';\n`);
            write('1.0.0');
            writeFileSync(
                join(dir, 'google-mail', 'syncs', 'versioned.ts'),
                [
                    "import { createSync } from 'nango';",
                    "import { VERSION } from '../version.js';",
                    "export default createSync({ description: 'v', version: VERSION, frequency: 'every hour', autoStart: true, models: {}, exec: async () => {} });"
                ].join('\n')
            );
            const load = async () =>
                (
                    await loadScript({
                        integration: 'google-mail',
                        kind: 'syncs',
                        name: 'versioned',
                        clock: new VirtualClock(),
                        integrationsDir: dir
                    })
                ).definition.version;
            expect(await load()).toBe('1.0.0');
            write('2.0.0');
            utimesSync(helper, new Date(), new Date(Date.now() + 5000));
            expect(await load()).toBe('2.0.0');
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });
});
