/**
 * `npm run conformance`: the real Nango CLI's dryrun and our runtime, run on the same simulated providers and the
 * same cache, must produce the same records and action outputs.
 *
 * 1. A fresh store in a temporary folder, the local Nango API on it (127.0.0.1, an ephemeral port).
 * 2. A copy of nango-integrations/ in the same folder, compiled once (or the repository's build/, when it is newer
 *    than every script and models.ts): dryrun's `--save` writes into the copy, never into nango-integrations/.
 * 3. Every sync from scratch, then every action with sample input built from what the syncs cached, then provider
 *    activity and every sync again from its checkpoint (dryrun's `--checkpoint`). Each script runs twice from the
 *    same simulator snapshot: `nango dryrun --validate` against the local API (once the command itself, otherwise
 *    the CLI's DryRunService, see dryrun-child.mjs), and `runSync`/`runAction` of runtime/ on the repository's
 *    scripts. The runtime's run then becomes the state the next script starts from, and its records the cache the
 *    API serves to the next dryrun.
 * 4. Records are compared by id, deep-equal; action outputs minus VOLATILE_OUTPUT_FIELDS. Any difference fails the
 *    check, naming the script, the record id and the field.
 *
 * Not compared, because dryrun cannot show them (it keeps no cache): deletions made by trackDeletesEnd or
 * deleteRecordsFromPreviousExecutions (no-ops in dryrun), and deletions decided by a walk of the cache that must see
 * the run's own saves (the events sync's sweep of a cancelled series' exceptions): the activities that cause them
 * are not applied (RESYNC_ACTIVITIES).
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SystemClock } from '../runtime/clock.js';
import { runAction, runSync } from '../runtime/index.js';
import { RecordsStore, type ConnectionRef } from '../runtime/records-store.js';
import { REPO_ROOT } from '../runtime/sandbox.js';
import {
    cachedLookup,
    INTEGRATIONS,
    type ActionEntry,
    type IntegrationEntry,
    type SimulatorName,
    type SyncEntry
} from '../runner/catalog.js';
import { loadSimulators, saveSimulators } from '../runner/simulators.js';
import { startLocalNango, type LocalNango } from '../local-nango/server.js';
import { compareOutputs, compareRecords, dryrunRecords, type Difference, type RunRecords } from './compare.js';
import { runCaptured } from './capture.js';

const CONNECTION = 'local';
/** Where the simulator state both sides start each script from is kept (a connection id no script uses). */
const SHARED = 'conformance-shared-state';
/** The one script run through the `nango dryrun` command itself (it recompiles everything: about 20 s). */
const COMMAND_RUN = 'gmail-contacts';
/**
 * Activities whose deletions dryrun cannot show: those that make a sync resync inside trackDeletesStart/End (no-ops
 * in dryrun), and a cancelled series, whose exceptions the events sync deletes by walking the cache with listRecords
 * at the end of the listing: on Nango that walk sees the series saved as cancelled a moment before; dryrun saves
 * nothing, so its walk sees the series still live and keeps them.
 */
const RESYNC_ACTIVITIES = /expir|empty-recycle-bin|leave-calendar|new-calendar|cancel-series/;

interface Options {
    /** A script to alter in the copy before compiling, to prove the check fails: `<file>:<search>:<replace>`. */
    mutate?: string;
    keep?: boolean;
}

export async function conformance(options: Options): Promise<number> {
    const started = performance.now();
    const work = mkdtempSync(join(tmpdir(), 'nango-conformance-'));
    const log = (text: string) => process.stdout.write(`${text}\n`);
    // One store: the cache the runtime builds is the cache the local API serves, as Nango serves dryrun the cache
    // its deployed syncs built (a script reading it with getRecordsByIds sees the same records on both sides).
    const store = new RecordsStore(join(work, 'store.sqlite'));
    let api: LocalNango | undefined;
    const timings: { step: string; ms: number }[] = [];
    const timed = async <T>(step: string, work: () => Promise<T>): Promise<T> => {
        const at = performance.now();
        try {
            return await work();
        } finally {
            timings.push({ step, ms: performance.now() - at });
        }
    };
    try {
        const fullPath = await timed('prepare and compile the Nango folder', () => prepareNangoFolder(work, options.mutate, log));
        api = await startLocalNango({ store });
        const side = new Sides(api, store, fullPath, work);
        side.seedSharedState();
        log(`conformance: local Nango API on ${api.url}, work folder ${work}`);

        const differences: Difference[] = [];
        for (const entry of INTEGRATIONS) {
            for (const sync of entry.syncs)
                differences.push(...(await timed(`${sync.name} from scratch`, () => side.sync(entry, sync, 'first run'))));
        }
        for (const entry of INTEGRATIONS) {
            for (const action of entry.actions) differences.push(...(await timed(action.name, () => side.action(entry, action))));
        }
        for (const entry of INTEGRATIONS) {
            log(`  activity: ${side.activity(entry).join('; ')}`);
            for (const sync of entry.syncs) {
                differences.push(...(await timed(`${sync.name} from its checkpoint`, () => side.sync(entry, sync, 'checkpoint'))));
            }
        }

        log('');
        for (const { step, ms } of timings) log(`  ${step.padEnd(44)} ${(ms / 1000).toFixed(1).padStart(6)} s`);
        log(`  ${'total'.padEnd(44)} ${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s`);
        if (differences.length === 0) {
            log(
                `\nPASS: nango dryrun and the runtime agree on ${side.compared.records} records and ${side.compared.outputs} action outputs.`
            );
            return 0;
        }
        log(`\nFAIL: ${differences.length} difference(s) between nango dryrun and the runtime:`);
        const groups = new Map<string, number>();
        for (const d of differences) {
            const key = `${d.script} (${d.phase}) ${d.field.replace(/\[\d+\]/g, '[]')}`;
            groups.set(key, (groups.get(key) ?? 0) + 1);
        }
        for (const [key, count] of groups) log(`  ${String(count).padStart(5)} × ${key}`);
        log('');
        for (const d of differences.slice(0, 50)) {
            log(`  ${d.script} (${d.phase}) record ${d.id} field ${d.field}: dryrun ${preview(d.dryrun)} / runtime ${preview(d.runtime)}`);
        }
        if (differences.length > 50) log(`  ... and ${differences.length - 50} more`);
        return 1;
    } finally {
        await api?.close();
        store.close();
        if (!options.keep) rmSync(work, { recursive: true, force: true });
    }
}

/** The two sides of every comparison, and the simulator state they share. */
class Sides {
    readonly compared = { records: 0, outputs: 0 };
    private readonly clock = new SystemClock();

    constructor(
        private readonly api: LocalNango,
        private readonly runtimeStore: RecordsStore,
        private readonly fullPath: string,
        private readonly work: string
    ) {}

    /**
     * The API's seeded simulators become the shared state (seeds place dates relative to the moment they run, so
     * two seedings differ). It is kept under its own key, apart from the simulators the API itself holds.
     */
    seedSharedState(): void {
        for (const entry of INTEGRATIONS) saveSimulators(this.runtimeStore, SHARED, this.api.registry.simulators(entry, CONNECTION));
    }

    async sync(entry: IntegrationEntry, sync: SyncEntry, phase: 'first run' | 'checkpoint'): Promise<Difference[]> {
        const names = simulatorsOf(sync);
        const conn = this.conn(entry);
        const checkpoint = this.runtimeStore.getCheckpoint(conn, sync.name);
        if (phase === 'checkpoint' && checkpoint === null) throw new Error(`${sync.name}: no checkpoint after its first run`);
        const mark = this.mark();

        this.api.registry.replaceSimulators(CONNECTION, this.snapshot(entry, names));
        const saved = await this.dryrun(entry, sync.name, phase === 'checkpoint' ? { checkpoint } : {});

        const sims = this.snapshot(entry, names);
        const result = await this.api.within([...sims.values()], () => runSync({ ...this.runOptions(entry), name: sync.name }));
        saveSimulators(this.runtimeStore, SHARED, sims);
        if (result.status !== 'success')
            throw new Error(`${sync.name} (${phase}) failed in the runtime: ${result.error?.message ?? result.status}`);

        const differences: Difference[] = [];
        for (const { model } of sync.models) {
            const dry = dryrunRecords(saved, model);
            const runtime = this.runtimeRecords(conn, model, mark);
            this.compared.records += runtime.saved.size + runtime.deleted.size;
            differences.push(...compareRecords(sync.name, phase, dry, runtime));
        }
        return differences;
    }

    async action(entry: IntegrationEntry, action: ActionEntry): Promise<Difference[]> {
        const input = action.sample(cachedLookup(this.runtimeStore, entry.id, CONNECTION));
        this.api.registry.replaceSimulators(CONNECTION, this.snapshot(entry, entry.simulators));
        const saved = await this.dryrun(entry, action.name, { input });
        const sims = this.snapshot(entry, entry.simulators);
        const result = await this.api.within([...sims.values()], () => runAction({ ...this.runOptions(entry), name: action.name, input }));
        saveSimulators(this.runtimeStore, SHARED, sims);
        if (result.status !== 'success') throw new Error(`${action.name} failed in the runtime: ${JSON.stringify(result.error)}`);
        this.compared.outputs += 1;
        return compareOutputs(action.name, saved['output'], result.output);
    }

    /** Activity at every simulator of the integration (none that forces a resync), in the shared state. */
    activity(entry: IntegrationEntry): string[] {
        const sims = this.snapshot(entry, entry.simulators);
        const done: string[] = [];
        for (const [name, sim] of sims) {
            for (const activity of sim.activities()) {
                if (RESYNC_ACTIVITIES.test(activity.name)) continue;
                sim.applyActivity(activity.name);
                done.push(`${name} ${activity.name}`);
            }
        }
        saveSimulators(this.runtimeStore, SHARED, sims);
        return done;
    }

    /** Fresh simulators restored from the shared state (seeded the same way on first use). */
    private snapshot(entry: IntegrationEntry, names: readonly SimulatorName[]) {
        void entry;
        return loadSimulators(this.runtimeStore, SHARED, names, { clock: this.clock, latencyMs: 0, limits: true });
    }

    private async dryrun(
        entry: IntegrationEntry,
        name: string,
        extra: { input?: unknown; checkpoint?: unknown }
    ): Promise<Record<string, unknown>> {
        const file = join(this.fullPath, entry.id, 'tests', `${name}.test.json`);
        rmSync(file, { force: true });
        const env = {
            ...process.env,
            CI: 'true',
            NANGO_CLI_TELEMETRY: 'false',
            NANGO_CLI_UPGRADE_MODE: 'ignore',
            NANGO_HOSTPORT: this.api.url,
            NANGO_SECRET_KEY: this.api.secretKey,
            NANGO_SECRET_KEY_DEV: this.api.secretKey,
            // The same guard the deploy test uses: the child can open no connection beyond the loopback.
            NODE_OPTIONS:
                `${process.env['NODE_OPTIONS'] ?? ''} --import ${resolve(REPO_ROOT, 'tests', 'tooling', 'support', 'loopback-only.mjs')}`.trim()
        };
        let result: { code: number | null; output: string };
        if (name === COMMAND_RUN && extra.checkpoint === undefined) {
            // Once, the whole `nango dryrun` command (arguments, environment, compile, run), as a person types it.
            const args = ['dryrun', name, CONNECTION, '--integration-id', entry.id, '-e', 'dev', '--validate', '--save'];
            args.push('--no-interactive', '--auto-confirm', '--no-dependency-update', '--no-telemetry');
            if (extra.input !== undefined) args.push('--input', JSON.stringify(extra.input));
            result = await runCaptured(resolve(REPO_ROOT, 'node_modules', '.bin', 'nango'), args, env, this.fullPath);
        } else {
            const job = {
                nangoCli: resolve(REPO_ROOT, 'node_modules', 'nango'),
                fullPath: this.fullPath,
                name,
                integration: entry.id,
                connectionId: CONNECTION,
                ...extra
            };
            result = await runCaptured(process.execPath, [resolve(REPO_ROOT, 'conformance', 'dryrun-child.mjs'), JSON.stringify(job)], env);
        }
        const { code, output } = result;
        if (code !== 0 || !existsSync(file)) {
            throw new Error(
                `nango dryrun ${name} failed (exit ${code}):\n${output.split('\n').slice(-25).join('\n')}\n(work folder: ${this.work})`
            );
        }
        return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    }

    private runOptions(entry: IntegrationEntry) {
        const found = this.api.registry.find(entry.id, CONNECTION)!;
        return {
            integration: entry.id,
            store: this.runtimeStore,
            connectionId: CONNECTION,
            accessToken: this.api.registry.accessToken,
            connectionConfig: found.connectionConfig,
            clock: this.clock
        };
    }

    private conn(entry: IntegrationEntry): ConnectionRef {
        return { integration: entry.id, connectionId: CONNECTION };
    }

    /** The store's modification counter now: rows written later belong to the next run. */
    private mark(): number {
        const row = this.runtimeStore.db.prepare('SELECT MAX(MAX(seq), MAX(seen_seq)) AS s FROM records').get() as { s: number | null };
        return row.s ?? 0;
    }

    /** What the runtime's run saved (including re-saves of unchanged records) and deleted, after `mark`. */
    private runtimeRecords(conn: ConnectionRef, model: string, mark: number): RunRecords {
        const rows = this.runtimeStore.db
            .prepare(
                'SELECT id, data, last_action FROM records WHERE integration = ? AND connection_id = ? AND model = ? AND (seq > ? OR seen_seq > ?)'
            )
            .all(conn.integration, conn.connectionId, model, mark, mark) as { id: string; data: string; last_action: string }[];
        const saved = new Map<string, unknown>();
        const deleted = new Set<string>();
        for (const row of rows) {
            if (row.last_action === 'DELETED') deleted.add(row.id);
            else saved.set(row.id, JSON.parse(row.data) as unknown);
        }
        return { saved, deleted };
    }
}

function simulatorsOf(sync: SyncEntry): SimulatorName[] {
    return [...new Set(sync.models.map((m) => m.simulator))];
}

/**
 * The Nango folder's copy. build/ is reused when it is newer than every source (a fresh `npm run compile`, as CI
 * runs before this), otherwise the copy is compiled once. node_modules is linked so the bundles' `require`s of
 * zod and nango resolve when dryrun loads them.
 */
async function prepareNangoFolder(work: string, mutate: string | undefined, log: (text: string) => void): Promise<string> {
    const source = resolve(REPO_ROOT, 'nango-integrations');
    const fullPath = join(work, 'nango-integrations');
    cpSync(source, fullPath, { recursive: true, filter: (path) => !/[/\\](dist|tests)$/.test(path) });
    cpSync(resolve(REPO_ROOT, 'models.ts'), join(work, 'models.ts'));
    symlinkSync(resolve(REPO_ROOT, 'node_modules'), join(work, 'node_modules'), 'dir');
    for (const file of ['package.json', 'tsconfig.json']) cpSync(resolve(REPO_ROOT, file), join(work, file));
    if (mutate) {
        const [file, search, replace] = mutate.split('::');
        const target = join(fullPath, file ?? '');
        const text = readFileSync(target, 'utf8');
        if (!search || !text.includes(search)) throw new Error(`--mutate: "${search}" is not in ${file}`);
        const { writeFileSync } = await import('node:fs');
        writeFileSync(target, text.replace(search, replace ?? ''));
        log(`conformance: altered ${file} in the copy (${search} -> ${replace}), so the check must fail`);
    }
    if (!mutate && buildIsFresh(source)) {
        log('conformance: reusing nango-integrations/build (newer than every script)');
        return fullPath;
    }
    log('conformance: compiling the copy once (nango compile)');
    const { code, output } = await runCaptured(
        resolve(REPO_ROOT, 'node_modules', '.bin', 'nango'),
        ['compile', '--no-dependency-update', '--no-telemetry', '--no-interactive'],
        { ...process.env, CI: 'true', NANGO_CLI_UPGRADE_MODE: 'ignore', NANGO_CLI_TELEMETRY: 'false' },
        fullPath
    );
    if (code !== 0) throw new Error(`nango compile failed:\n${output}`);
    return fullPath;
}

function buildIsFresh(source: string): boolean {
    const build = join(source, 'build');
    if (!existsSync(build) || !existsSync(join(source, '.nango', 'nango.json'))) return false;
    const built = Math.min(...readdirSync(build).map((file) => statSync(join(build, file)).mtimeMs));
    const newestSource = Math.max(
        statSync(resolve(REPO_ROOT, 'models.ts')).mtimeMs,
        ...sources(source).map((file) => statSync(file).mtimeMs)
    );
    return built > newestSource;
}

function sources(dir: string): string[] {
    return readdirSync(dir, { withFileTypes: true }).flatMap((item) => {
        if (item.name === 'build' || item.name === 'dist' || item.name.startsWith('.')) return [];
        const path = join(dir, item.name);
        return item.isDirectory() ? sources(path) : item.name.endsWith('.ts') ? [path] : [];
    });
}

function preview(value: unknown): string {
    const text = JSON.stringify(value) ?? 'undefined';
    return text.length > 120 ? `${text.slice(0, 120)}...` : text;
}

const args = process.argv.slice(2);
const mutateAt = args.indexOf('--mutate');
process.exitCode = await conformance({
    ...(mutateAt >= 0 && args[mutateAt + 1] ? { mutate: args[mutateAt + 1]! } : {}),
    keep: args.includes('--keep')
});
