/**
 * `npm run bench`: every sync against its simulator with per-call latency and the provider's per-user limits on, at
 * several sizes, next to a naive baseline run in the same process on the same data. See bench/README section in the
 * repository README and the notes written into bench/RESULTS.md.
 */
import '../runner/preflight.js';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { format, resolveConfig } from 'prettier';
import type { HttpHandler } from 'msw';
import { SystemClock } from '../runtime/clock.js';
import { loadScript, runSync } from '../runtime/index.js';
import { RecordsStore } from '../runtime/records-store.js';
import { verdictOfCache } from '../simulators/common/truth.js';
import { formatInt, formatMs } from '../runner/format.js';
import { ProgressLine } from '../runner/progress.js';
import { SIMULATED_TOKEN } from '../runner/simulators.js';
import { CASES, prepareConnection, shapeOf, type BenchCase } from './cases.js';
import { compareReports, renderComparison } from './compare.js';
import { mergeReports } from './merge.js';
import { floorFor, type Floor } from './costs.js';
import { EventClock } from './event-clock.js';
import { MemorySampler, type MemoryPeak } from './memory.js';
import { renderReport, type Report } from './report.js';
import { RuntimeTimer, type RuntimeTime } from './runtime-time.js';
import { inProcessFetch } from './transport.js';

const BENCH_DIR = resolve(import.meta.dirname);
const BASELINES_DIR = join(BENCH_DIR, 'baselines');
/** Scripts tried beside ours (`--experiment`), each judged against the floor of its own way of reading. */
const EXPERIMENTS_DIR = join(BENCH_DIR, 'experiments');
/** The cost model of each experiment (costs.ts), by sync. */
const EXPERIMENT_COSTS: Record<string, string> = { 'gmail-threads': 'gmail-threads by size' };

type Variant = 'ours' | 'naive' | 'trial';
const CONNECTION = 'bench';

export interface Measure {
    status: string;
    error?: string;
    /** Live records cached at the end, and whether they match the simulator's truth exactly. */
    records: number;
    correct: boolean;
    calls: number;
    units: number;
    /** Calls the provider refused for quota (429/403), counted in `calls`. */
    limited: number;
    wallMs: number;
    /**
     * Duration on the simulator's (scaled) time line: what the run would take against the real API. On the event
     * clock it leaves out the local runtime's records store and validation (`runtime`), as on Nango.
     */
    simMs: number;
    /** Where `simMs` went; absent in results written before the split. */
    time?: TimeSplit;
    /** Records per second on the simulator's time line. */
    throughput: number;
    memory: MemoryPeak;
}

export interface TimeSplit {
    /** Waiting on the API not covered by local work (latency, quota pacing, backoff); null with --scale. */
    waitMs: number | null;
    /** The main thread's CPU on the time line: the script, the runtime's proxy and sandbox; null with --scale. */
    localCpuMs: number | null;
    /** The local runtime standing in for Nango's records service, in CPU ms (runtime-time.ts). */
    runtime: RuntimeTime;
    /** Whether `runtime` is left out of `simMs` (the event clock pauses for it; a scaled clock cannot). */
    runtimeExcluded: boolean;
}

export interface CaseResult {
    sync: string;
    size: number;
    /** Records a correct sync caches (the truth): a little under `size` where the seed holds spam, trash, cancellations. */
    records: number;
    floor: Floor;
    ours: Measure;
    naive: Measure | null;
    /** `--experiment`: the experiment's script on the same data, and the floor of its way of reading. */
    trial?: { measure: Measure; floor: Floor };
    /** Ours relative to the floor and to the naive baseline (>1 means ours uses more / takes longer). */
    ratios: {
        unitsToFloor: number;
        throughputToLimit: number;
        unitsToNaive: number | null;
        /** Naive sim time divided by ours: how many times faster ours is. */
        speedupOverNaive: number | null;
        heapToNaive: number | null;
    };
}

export interface BenchSettings {
    sizes: number[];
    latencyMs: number;
    /** null: the event clock (real CPU time, free waits); a number: the runtime's SystemClock scaled by it. */
    scale: number | null;
    only: string[] | null;
    naiveMax: number;
    /** Run the scripts of bench/experiments/ beside ours (absent in results written before the option). */
    experiment?: boolean;
    /** Gmail: share of single-message threads in the seeded mailbox; null for the seed's default. */
    singleMessageShare?: number | null;
}

async function main(): Promise<void> {
    const program = new Command('npm run bench --')
        .description('Measure every sync against its simulator (latency and per-user limits on) next to a naive baseline.')
        .option('--sizes <list>', 'record counts, comma-separated, k/m suffixes allowed', '1k,10k,100k')
        .option('--latency <ms>', 'per-call latency of the simulated API, in ms', '100')
        .option(
            '--scale <n>',
            "use the runtime's SystemClock scaled by n instead of the event clock (waits AND local CPU time both count n times; see RESULTS.md)"
        )
        .option('--only <syncs>', 'comma-separated sync names (default: all)')
        .option('--naive-max <n>', 'largest size the naive baseline runs at (it is skipped above; never extrapolated)', 'Infinity')
        .option('--experiment', 'also run the scripts of bench/experiments/ (gmail-threads read by thread size) on the same data')
        .option('--single-message-share <p>', "Gmail: share of threads holding one message in the seeded mailbox (default: the seed's 0.4)")
        .option('--out-dir <dir>', 'where results.json and RESULTS.md go', BENCH_DIR)
        .option('--render <results.json>', 'measure nothing: write RESULTS.md again from an earlier results.json')
        .option(
            '--merge <results.json,...>',
            'with --render: replace the cases these later runs measured (by sync and size) and write results.json and RESULTS.md'
        )
        .option(
            '--compare <results.json>',
            'print these earlier figures beside the new ones (or the --render ones) and exit 1 if any case regressed by more than 10%'
        )
        .parse(process.argv);
    const options = program.opts<{
        sizes: string;
        latency: string;
        scale?: string;
        only?: string;
        naiveMax: string;
        experiment?: boolean;
        singleMessageShare?: string;
        outDir: string;
        render?: string;
        compare?: string;
        merge?: string;
    }>();
    // Read before anything is measured: a run takes minutes, and a baseline that cannot be read would waste it.
    const baseline = options.compare === undefined ? null : { label: options.compare, report: readReport(options.compare) };
    const outDir = usableOutDir(options.outDir);
    const compareWith = (report: Report) => {
        if (!baseline) return;
        const comparison = compareReports(baseline.report, report);
        process.stdout.write(`\n${renderComparison(comparison, baseline.label)}`);
        if (comparison.regressions > 0) process.exitCode = 1;
    };
    if (options.merge !== undefined && options.render === undefined) throw new Error('--merge goes with --render <results.json>');
    if (options.render !== undefined) {
        let report = readReport(options.render);
        if (options.merge !== undefined) {
            const updates = options.merge.split(',').map((file) => readReport(file.trim()));
            report = mergeReports(
                report,
                updates,
                CASES.map((c) => c.sync)
            );
            writeAtomically(join(outDir, 'results.json'), `${JSON.stringify(report, null, 2)}\n`);
        }
        await writeMarkdown(report, outDir);
        compareWith(report);
        return;
    }
    const settings: BenchSettings = {
        sizes: options.sizes.split(',').map(parseSize),
        latencyMs: Number(options.latency),
        scale: options.scale === undefined ? null : Number(options.scale),
        only: options.only ? options.only.split(',').map((s) => s.trim()) : null,
        naiveMax: parseSize(options.naiveMax),
        experiment: options.experiment === true,
        singleMessageShare: options.singleMessageShare === undefined ? null : Number(options.singleMessageShare)
    };
    const share = settings.singleMessageShare;
    if (share !== null && share !== undefined && !(share >= 0 && share <= 1))
        throw new Error('--single-message-share must be within 0 and 1');
    if (!(settings.latencyMs >= 0) || (settings.scale !== null && !(settings.scale >= 1)))
        throw new Error('--latency must be >= 0 and --scale >= 1');
    const cases = CASES.filter((c) => settings.only === null || settings.only.includes(c.sync));
    if (cases.length === 0) throw new Error(`--only matched no sync; syncs: ${CASES.map((c) => c.sync).join(', ')}`);
    if (settings.scale !== null && settings.latencyMs > 0 && settings.latencyMs / settings.scale < 1) {
        process.stderr.write(
            `warning: ${settings.latencyMs} ms / ${settings.scale} is under 1 ms of real time per call; timer granularity will distort it\n`
        );
    }

    const started = performance.now();
    const results: CaseResult[] = [];
    for (const benchCase of cases) {
        await warmUp(benchCase, settings);
        for (const size of settings.sizes) results.push(await measureCase(benchCase, size, settings));
    }

    const report = {
        generatedAt: new Date().toISOString(),
        machine: { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryBytes: totalmem() },
        settings,
        benchWallMs: performance.now() - started,
        results
    };
    writeAtomically(join(outDir, 'results.json'), `${JSON.stringify(report, null, 2)}\n`);
    await writeMarkdown(report, outDir);
    compareWith(report);
}

function readReport(file: string): Report {
    const path = resolve(callerDirectory(), file);
    try {
        const report = JSON.parse(readFileSync(path, 'utf8')) as Report;
        if (!Array.isArray(report.results)) throw new Error('no "results" array');
        return report;
    } catch (err) {
        process.stderr.write(`error: ${file}: not a bench results.json (${(err as Error).message}); nothing was measured\n`);
        process.exit(2);
    }
}

/** Formatted as `npm run lint` (prettier --check) expects, so a fresh RESULTS.md can be committed as written. */
async function writeMarkdown(report: Report, outDir: string): Promise<void> {
    const markdownFile = join(outDir, 'RESULTS.md');
    const markdown = await format(renderReport(report), { ...((await resolveConfig(markdownFile)) ?? {}), parser: 'markdown' });
    writeAtomically(markdownFile, markdown);
    process.stdout.write(`\n${markdown}`);
}

async function measureCase(benchCase: BenchCase, size: number, settings: BenchSettings): Promise<CaseResult> {
    process.stdout.write(`\n${benchCase.sync} at ${formatInt(size)}\n`);
    const ours = await measureRun(benchCase, size, settings, 'ours');
    const naive = size <= settings.naiveMax ? await measureRun(benchCase, size, settings, 'naive') : null;
    const trial = settings.experiment && benchCase.sync in EXPERIMENT_COSTS ? await measureRun(benchCase, size, settings, 'trial') : null;
    const { floor, records } = ours;
    const ratio = (a: number, b: number) => (b > 0 ? a / b : null);
    // A baseline that did not finish (e.g. Salesforce's daily allowance spent) has no figures to compare with.
    const compared = naive?.measure.status === 'success' ? naive : null;
    return {
        sync: benchCase.sync,
        size,
        records,
        floor,
        ours: ours.measure,
        naive: naive?.measure ?? null,
        ...(trial ? { trial: { measure: trial.measure, floor: trial.floor } } : {}),
        ratios: {
            unitsToFloor: ours.measure.units / floor.minUnits,
            throughputToLimit: ours.measure.throughput / floor.limitThroughput,
            unitsToNaive: compared ? ratio(ours.measure.units, compared.measure.units) : null,
            speedupOverNaive: compared ? ratio(compared.measure.simMs, ours.measure.simMs) : null,
            heapToNaive: compared ? ratio(ours.measure.memory.liveHeapGrowth, compared.measure.memory.liveHeapGrowth) : null
        }
    };
}

/** The handlers the in-process transport answers with: the simulator of the run in progress. */
let currentHandlers: readonly HttpHandler[] = [];

/**
 * One run on a fresh simulator seeded the same way (same data for ours and the naive baseline, and an untouched
 * quota window), a fresh store on disk, and a fresh clock shared by the runtime, the transport and the simulator.
 */
async function measureRun(
    benchCase: BenchCase,
    size: number,
    settings: BenchSettings,
    variant: Variant,
    quiet = false
): Promise<{ measure: Measure; floor: Floor; records: number }> {
    const clock = settings.scale === null ? new EventClock() : new SystemClock(settings.scale);
    // The transport applies the latency; the simulator itself answers at once.
    const sim = benchCase.create(size, clock, 0, { singleMessageShare: settings.singleMessageShare ?? undefined });
    currentHandlers = sim.handlers;
    globalThis.fetch = inProcessFetch({ handlers: () => currentHandlers, clock, latencyMs: settings.latencyMs });
    const dir = mkdtempSync(join(tmpdir(), 'nango-bench-'));
    const store = new RecordsStore(join(dir, 'records.sqlite'));
    const timer = new RuntimeTimer(clock instanceof EventClock ? () => clock.pause() : undefined);
    const conn = { integration: benchCase.integration, connectionId: CONNECTION };
    try {
        const connectionConfig = prepareConnection(benchCase, store, CONNECTION, sim);
        const shape = shapeOf(benchCase, sim);
        const floor = floorFor(
            variant === 'trial' ? EXPERIMENT_COSTS[benchCase.sync]! : benchCase.sync,
            shape,
            settings.latencyMs,
            sim.core.limit
        );
        const progress = new ProgressLine(quiet ? { write: () => true } : process.stdout, `${variant.padEnd(5)} ${benchCase.sync}`, 10_000);
        const sampler = new MemorySampler({ pause: () => timer.suspend() });
        sampler.start();
        let savedSoFar = 0;
        const uninstall = timer.install();
        const wallStart = performance.now();
        const running = runSync({
            integration: benchCase.integration,
            name: benchCase.sync,
            store: timer.wrapStore(store),
            connectionId: CONNECTION,
            accessToken: SIMULATED_TOKEN,
            connectionConfig,
            clock,
            ...(variant === 'naive' ? { integrationsDir: BASELINES_DIR } : variant === 'trial' ? { integrationsDir: EXPERIMENTS_DIR } : {}),
            onProgress: (p) => {
                sampler.sample();
                if (p.records !== savedSoFar) sampler.afterSave();
                savedSoFar = p.records;
                progress.update(p);
            }
        });
        const result = await running.finally(uninstall);
        const wallMs = performance.now() - wallStart;
        const memory = sampler.stop();
        const waitMs = clock instanceof EventClock ? clock.waitedMs() : null;
        const usage = sim.core.meter.totals();
        const records = store.countLive(conn, benchCase.model);
        const verdict = verdictOfCache(benchCase.model, sim.truth(benchCase.model), store.allRecords(conn, benchCase.model), (m, r) =>
            sim.versionOf(m, r)
        );
        const measure: Measure = {
            status: result.status,
            ...(result.error ? { error: result.error.message } : {}),
            records,
            correct: result.status === 'success' && verdict.ok,
            calls: usage.calls,
            units: usage.units,
            limited: usage.limited,
            wallMs,
            simMs: result.elapsedMs,
            time: {
                waitMs,
                localCpuMs: waitMs === null ? null : Math.max(0, result.elapsedMs - waitMs),
                runtime: timer.totalsMs(),
                runtimeExcluded: clock instanceof EventClock
            },
            throughput: result.elapsedMs > 0 ? records / (result.elapsedMs / 1000) : 0,
            memory
        };
        progress.finish(
            `${result.status}${verdict.ok ? '' : ' (cache differs from the provider)'}: ${formatInt(usage.units)} units, ` +
                `${formatMs(result.elapsedMs)} simulated, ${formatMs(wallMs)} real${result.error ? ` — ${result.error.message}` : ''}`,
            { elapsedMs: result.elapsedMs }
        );
        return { measure, floor, records: shape.records };
    } finally {
        store.close();
        rmSync(dir, { recursive: true, force: true });
    }
}

/**
 * Bundling a script, and the JIT's first pass over it, take real time that has nothing to do with the sync: bundle
 * both scripts and run each once on a small data set before anything is measured.
 */
async function warmUp(benchCase: BenchCase, settings: BenchSettings): Promise<void> {
    const clock = new SystemClock();
    await loadScript({ integration: benchCase.integration, kind: 'syncs', name: benchCase.sync, clock });
    await loadScript({ integration: benchCase.integration, kind: 'syncs', name: benchCase.sync, clock, integrationsDir: BASELINES_DIR });
    const quick = { ...settings, latencyMs: 0 };
    await measureRun(benchCase, 50, quick, 'ours', true);
    await measureRun(benchCase, 50, quick, 'naive', true);
    if (settings.experiment && benchCase.sync in EXPERIMENT_COSTS) await measureRun(benchCase, 50, quick, 'trial', true);
}

function parseSize(text: string): number {
    const match = /^\s*(\d+(?:\.\d+)?)\s*([km]?)\s*$/i.exec(text);
    if (text.trim() === 'Infinity') return Infinity;
    if (!match) throw new Error(`not a size: ${text}`);
    const factor = { '': 1, k: 1_000, m: 1_000_000 }[match[2]!.toLowerCase() as '' | 'k' | 'm'];
    return Math.round(Number(match[1]) * factor);
}

/** `npm run bench` runs from the repository root; a relative path means the caller's directory (npm's INIT_CWD). */
function callerDirectory(): string {
    return process.env['INIT_CWD'] || process.cwd();
}

/**
 * The output folder, created if missing and proven writable before anything is measured: a run takes minutes,
 * and finding out at the end that its results cannot be written loses them.
 */
function usableOutDir(dir: string): string {
    const outDir = resolve(callerDirectory(), dir);
    try {
        mkdirSync(outDir, { recursive: true });
        const probe = join(outDir, `.write-probe.${process.pid}.tmp`);
        writeFileSync(probe, '');
        rmSync(probe);
    } catch (err) {
        process.stderr.write(`error: --out-dir ${dir}: cannot write there (${(err as Error).message}); nothing was measured\n`);
        process.exit(1);
    }
    return outDir;
}

function writeAtomically(file: string, content: string): void {
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, content);
    renameSync(temporary, file);
}

await main();
