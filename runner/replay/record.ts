/**
 * `npm run recordings`: one `nango dryrun --save` recording per sync and per action, made by the real CLI against
 * the local Nango API on a small seeded world, scrubbed, into tests/recordings/<integration>/<name>.test.json.
 *
 * dryrun writes `<integration>/tests/<name>.test.json` into the Nango folder it runs in, so it runs in a copy in a
 * temporary folder, never in nango-integrations/ (which deploy ships). The copy is compiled once; each run then goes
 * through the CLI's own DryRunService (conformance/dryrun-child.mjs), which skips the recompile the command repeats.
 * Syncs run first (each also through our runtime, so the cache holds the records the action samples are built
 * from), then actions. It ends by printing, per recording, whether it is new, unchanged or what changed.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { format, resolveConfig } from 'prettier';
import { dirname, join, relative, resolve } from 'node:path';
import { SystemClock, VirtualClock } from '../../runtime/clock.js';
import { runSync } from '../../runtime/index.js';
import { RecordsStore } from '../../runtime/records-store.js';
import { REPO_ROOT } from '../../runtime/sandbox.js';
import { startLocalNango, type LocalNango } from '../../local-nango/server.js';
import { fieldDifferences } from '../../conformance/compare.js';
import { cachedLookup, INTEGRATIONS, type CachedLookup, type IntegrationEntry, type SimulatorName } from '../catalog.js';
import { createSimulator, saveSimulators } from '../simulators.js';
import { scrubRecording } from './scrub.js';
import type { Recording } from './recording.js';
import { runCaptured } from '../../conformance/capture.js';

const CONNECTION = 'local';
export const RECORDINGS_DIR = resolve(REPO_ROOT, 'tests', 'recordings');
/** A small world: a few records per model keep each recording readable (and a replay fast). */
const SMALL_WORLD: Record<SimulatorName, number> = { gmail: 3, people: 4, salesforce: 4, calendar: 12 };
const SEEDS: Record<SimulatorName, number> = { gmail: 11, people: 22, salesforce: 33, calendar: 44 };
/**
 * The world is seeded as of this moment, not of now: seeds place their dates relative to their clock, so a fixed
 * moment gives the same records at every regeneration and the printed changes are the scripts' own. (Calendar's
 * sync reads a year back from the real now: past 2027-11 the seeded events start leaving its window.)
 */
const SEEDED_AT = Date.parse('2026-11-02T09:00:00.000Z');

async function main(): Promise<number> {
    const work = mkdtempSync(join(tmpdir(), 'nango-recordings-'));
    const log = (text: string) => process.stdout.write(`${text}\n`);
    const store = new RecordsStore(join(work, 'store.sqlite'));
    const clock = new SystemClock();
    let api: LocalNango | undefined;
    const changes: string[] = [];
    try {
        for (const entry of INTEGRATIONS) {
            const sims = new Map(
                entry.simulators.map((name) => [
                    name,
                    createSimulator(name, {
                        clock: new VirtualClock(SEEDED_AT),
                        seed: SEEDS[name],
                        size: SMALL_WORLD[name],
                        latencyMs: 0,
                        limits: false
                    })
                ])
            );
            saveSimulators(store, CONNECTION, sims);
        }
        const fullPath = await prepareNangoFolder(work, log);
        api = await startLocalNango({ store, clock });
        log(`recordings: local Nango API on ${api.url}, work folder ${work}`);
        for (const entry of INTEGRATIONS) {
            for (const sync of entry.syncs) {
                changes.push(await record(api, fullPath, entry, sync.name, undefined));
                // The runtime's run fills the cache the action samples are built from (dryrun keeps no cache).
                const found = api.registry.find(entry.id, CONNECTION)!;
                const sims = api.registry.simulators(entry, CONNECTION);
                const result = await api.within([...sims.values()], () =>
                    runSync({
                        integration: entry.id,
                        name: sync.name,
                        store,
                        connectionId: CONNECTION,
                        accessToken: api!.registry.accessToken,
                        connectionConfig: found.connectionConfig,
                        clock
                    })
                );
                if (result.status !== 'success') throw new Error(`${sync.name} failed in the runtime: ${result.error?.message}`);
            }
        }
        for (const entry of INTEGRATIONS) {
            for (const action of entry.actions) {
                // An input we write ourselves gets its placeholders before the run: a script may derive values from
                // its input (create-event's id is a hash of it), which a scrub of the recording could not follow. An
                // input built from cached records keeps the provider's values (the simulator knows no placeholder);
                // the answers hold the same values, so the scrub after the run replaces both alike.
                const sample = action.sample(writableOnly(cachedLookup(store, entry.id, CONNECTION)));
                const input = action.sample.length === 0 ? scrubRecording({ input: sample }).input : sample;
                changes.push(await record(api, fullPath, entry, action.name, input));
            }
        }
        // A recording of a script that no longer exists would fail every replay: it goes, and says so.
        const made = new Set(
            INTEGRATIONS.flatMap((e) => [...e.syncs, ...e.actions].map((s) => join(RECORDINGS_DIR, e.id, `${s.name}.test.json`)))
        );
        const existing = existsSync(RECORDINGS_DIR) ? readdirSync(RECORDINGS_DIR, { recursive: true, encoding: 'utf8' }) : [];
        for (const file of existing.filter((f) => f.endsWith('.test.json')).map((f) => join(RECORDINGS_DIR, f))) {
            if (made.has(file)) continue;
            rmSync(file);
            changes.push(`  removed    ${relative(REPO_ROOT, file)} (no such script any more)`);
        }
        log('');
        for (const line of changes) log(line);
        return 0;
    } finally {
        await api?.close();
        store.close();
        rmSync(work, { recursive: true, force: true });
    }
}

/** The samples pick the first cached event; in a small world that can sit on a read-only holiday calendar. */
function writableOnly(lookup: CachedLookup): CachedLookup {
    return (model) => lookup(model).filter((record) => !String(record['calendarId'] ?? '').includes('#holiday@'));
}

/** One dryrun --save, scrubbed and written beside the previous recording; answers what changed. */
async function record(api: LocalNango, fullPath: string, entry: IntegrationEntry, name: string, input: unknown): Promise<string> {
    const file = join(fullPath, entry.id, 'tests', `${name}.test.json`);
    rmSync(file, { force: true });
    const job = {
        nangoCli: resolve(REPO_ROOT, 'node_modules', 'nango'),
        fullPath,
        name,
        integration: entry.id,
        connectionId: CONNECTION,
        ...(input === undefined ? {} : { input })
    };
    const { code, output } = await runCaptured(
        process.execPath,
        [resolve(REPO_ROOT, 'conformance', 'dryrun-child.mjs'), JSON.stringify(job)],
        {
            ...dryrunEnv(api)
        }
    );
    if (code !== 0 || !existsSync(file)) {
        throw new Error(`nango dryrun ${name} failed (exit ${code}):\n${output.split('\n').slice(-25).join('\n')}`);
    }
    const recording = scrubRecording(JSON.parse(readFileSync(file, 'utf8')) as Recording);
    const target = join(RECORDINGS_DIR, entry.id, `${name}.test.json`);
    // Written as prettier writes it, so `npm run lint` (prettier --check) passes on a fresh regeneration.
    const text = await format(JSON.stringify(recording, null, 2), { ...(await resolveConfig(target)), filepath: target });
    const shown = relative(REPO_ROOT, target);
    if (!existsSync(target)) {
        mkdirSync(dirname(target), { recursive: true });
        writeFileSync(target, text);
        return `  new        ${shown}`;
    }
    const before = JSON.parse(readFileSync(target, 'utf8')) as unknown;
    writeFileSync(target, text);
    // Answers carry the time they were made (HTTP date, clock-derived params and the hashes of those requests):
    // counted apart, so what is printed is what the scripts or the world changed.
    const differences = fieldDifferences(before, recording);
    if (differences.length === 0) return `  unchanged  ${shown}`;
    const timed = differences.filter((d) => (isTime(d.dryrun) && isTime(d.runtime)) || /\.hash$/.test(d.field));
    const paths = [...new Set(differences.filter((d) => !timed.includes(d)).map((d) => d.field.replace(/\[\d+\]/g, '[]')))];
    if (paths.length === 0) return `  times only ${shown} (${timed.length} timestamp(s) and request hash(es) moved)`;
    const shownPaths = `${paths.slice(0, 6).join(', ')}${paths.length > 6 ? `, ... (${paths.length} paths)` : ''}`;
    return `  changed    ${shown}: ${shownPaths}${timed.length > 0 ? ` (and ${timed.length} timestamp(s))` : ''}`;
}

function isTime(value: unknown): boolean {
    return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}|^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(value);
}

function dryrunEnv(api: LocalNango): NodeJS.ProcessEnv {
    return {
        ...process.env,
        CI: 'true',
        NANGO_CLI_TELEMETRY: 'false',
        NANGO_CLI_UPGRADE_MODE: 'ignore',
        NANGO_HOSTPORT: api.url,
        NANGO_SECRET_KEY: api.secretKey,
        NANGO_SECRET_KEY_DEV: api.secretKey,
        // The guard the deploy test uses: the child can open no connection beyond the loopback.
        NODE_OPTIONS:
            `${process.env['NODE_OPTIONS'] ?? ''} --import ${resolve(REPO_ROOT, 'tests', 'tooling', 'support', 'loopback-only.mjs')}`.trim()
    };
}

/** A compiled copy of the Nango folder (node_modules linked, so the bundles' requires of zod and nango resolve). */
async function prepareNangoFolder(work: string, log: (text: string) => void): Promise<string> {
    const fullPath = join(work, 'nango-integrations');
    cpSync(resolve(REPO_ROOT, 'nango-integrations'), fullPath, {
        recursive: true,
        filter: (path) => !/[/\\](dist|tests|build)$/.test(path)
    });
    cpSync(resolve(REPO_ROOT, 'models.ts'), join(work, 'models.ts'));
    symlinkSync(resolve(REPO_ROOT, 'node_modules'), join(work, 'node_modules'), 'dir');
    for (const file of ['package.json', 'tsconfig.json']) cpSync(resolve(REPO_ROOT, file), join(work, file));
    log('recordings: compiling a copy of nango-integrations/ (nango compile)');
    const { code, output } = await runCaptured(
        resolve(REPO_ROOT, 'node_modules', '.bin', 'nango'),
        ['compile', '--no-dependency-update', '--no-telemetry', '--no-interactive'],
        { ...process.env, CI: 'true', NANGO_CLI_UPGRADE_MODE: 'ignore', NANGO_CLI_TELEMETRY: 'false' },
        fullPath
    );
    if (code !== 0) throw new Error(`nango compile failed:\n${output}`);
    return fullPath;
}

/** `npm run recordings -- --scrub <file>...`: scrubs recordings made elsewhere (a real connection) in place. */
async function scrubFiles(files: string[]): Promise<number> {
    for (const file of files) {
        const before = JSON.parse(readFileSync(file, 'utf8')) as Recording;
        const after = scrubRecording(before);
        const target = resolve(file);
        writeFileSync(target, await format(JSON.stringify(after, null, 2), { ...(await resolveConfig(target)), filepath: target }));
        process.stdout.write(`  scrubbed   ${file}: ${fieldDifferences(before, after).length} value(s) replaced\n`);
    }
    return 0;
}

const args = process.argv.slice(2);
process.exitCode = args[0] === '--scrub' ? await scrubFiles(args.slice(1)) : await main();
