import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CaseResult } from '../../bench/run.js';
import { freshLocalDir, REPO } from './cli-process.js';

interface Results {
    settings: { sizes: number[]; latencyMs: number; scale: number | null };
    results: CaseResult[];
}

const SYNCS = ['gmail-threads', 'gmail-contacts', 'salesforce-leads', 'salesforce-opportunities', 'events'];

/** `npm run bench` at a tiny size: the harness end to end, not a measurement (figures at this size mean little). */
describe('npm run bench (smoke run at a tiny size)', () => {
    // A folder that does not exist yet: the bench creates it before measuring.
    const outDir = join(freshLocalDir(), 'results', 'today');
    let code: number | null = null;
    let stdout = '';
    let results: Results;

    beforeAll(async () => {
        const bin = join(REPO, 'node_modules', '.bin');
        const child = spawn(join(bin, 'tsx'), ['bench/run.ts', '--sizes', '60', '--latency', '20', '--out-dir', outDir], {
            cwd: REPO,
            env: { ...process.env, PATH: `${bin}${delimiter}${process.env['PATH'] ?? ''}` },
            stdio: ['ignore', 'pipe', 'inherit']
        });
        child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
        code = await new Promise((resolve) => child.on('close', resolve));
        results = JSON.parse(readFileSync(join(outDir, 'results.json'), 'utf8')) as Results;
    }, 180_000);

    it('measures every sync, ours and the naive baseline, and both leave a cache equal to the provider', () => {
        expect(code).toBe(0);
        expect(results.settings).toMatchObject({ sizes: [60], latencyMs: 20, scale: null });
        expect(results.results.map((r) => r.sync)).toEqual(SYNCS);
        for (const result of results.results) {
            expect(result.ours.correct, `${result.sync} ours`).toBe(true);
            expect(result.naive?.correct, `${result.sync} naive`).toBe(true);
            expect(result.ours.records).toBe(result.records);
        }
    });

    it('never reports our syncs below the floor the provider’s cost table allows', () => {
        // The floor includes what a sync needs to continue incrementally (Gmail's getProfile for the history id),
        // which the one-shot naive baseline skips; so it bounds ours, not the baseline.
        for (const { sync, floor, ours } of results.results) {
            expect(floor.minUnits, sync).toBeGreaterThan(0);
            expect(ours.calls, sync).toBeGreaterThanOrEqual(floor.minCalls);
            expect(ours.units, sync).toBeGreaterThanOrEqual(floor.minUnits);
        }
    });

    it('reports times, throughputs, memory and ratios that are finite and consistent', () => {
        for (const { sync, floor, ours, naive, ratios } of results.results) {
            for (const measure of [ours, naive!]) {
                expect(measure.simMs, sync).toBeGreaterThan(0);
                expect(measure.wallMs, sync).toBeGreaterThan(0);
                expect(measure.throughput, sync).toBeCloseTo(measure.records / (measure.simMs / 1000), 6);
                expect(measure.memory.heapGrowth, sync).toBeGreaterThanOrEqual(0);
                expect(measure.memory.baselineRss, sync).toBeGreaterThan(0);
            }
            // Every call waits the latency: a run cannot be faster than its calls that must follow one another.
            expect(ours.simMs, sync).toBeGreaterThanOrEqual(floor.sequentialCalls * 20);
            expect(ratios.unitsToFloor).toBeCloseTo(ours.units / floor.minUnits, 9);
            expect(ratios.speedupOverNaive).toBeCloseTo(naive!.simMs / ours.simMs, 9);
            expect(Number.isFinite(floor.limitThroughput)).toBe(true);
            // The limit is a true bound: no correct measurement goes past it.
            expect(ours.throughput, sync).toBeLessThanOrEqual(floor.limitThroughput * 1.000001);
            expect(ours.memory.liveHeapGrowth, sync).toBeGreaterThanOrEqual(0);
        }
    });

    it('keeps the local runtime’s records store and validation off the time line and reports them apart', () => {
        let recordsMs = 0;
        let validationMs = 0;
        for (const { sync, ours, naive } of results.results) {
            for (const measure of [ours, naive!]) {
                const time = measure.time!;
                expect(time.runtimeExcluded, sync).toBe(true);
                // One run of 60 records can spend less than the main thread's CPU clock resolves: on Linux,
                // process.threadCpuUsage (getrusage RUSAGE_THREAD) moves in scheduler ticks, 4 ms here, so a short
                // stretch reads 0 or 4 ms. All runs together cannot read 0: every sync saves, checkpoints, validates.
                expect(time.runtime.recordsMs, sync).toBeGreaterThanOrEqual(0);
                expect(time.runtime.validationMs, sync).toBeGreaterThanOrEqual(0);
                recordsMs += time.runtime.recordsMs;
                validationMs += time.runtime.validationMs;
                // The time line is waits plus local CPU (whole milliseconds on the clock, microseconds in the parts).
                expect(time.waitMs! + time.localCpuMs!, sync).toBeCloseTo(measure.simMs, -1);
            }
        }
        expect(recordsMs).toBeGreaterThan(0);
        expect(validationMs).toBeGreaterThan(0);
    });

    it('the naive baseline fetches item by item: at least one call per record for the list-then-get syncs', () => {
        for (const result of results.results.filter((r) => r.sync !== 'gmail-contacts')) {
            expect(result.naive!.calls, result.sync).toBeGreaterThanOrEqual(result.records);
        }
    });

    it('writes the markdown table and prints it', () => {
        const markdown = readFileSync(join(outDir, 'RESULTS.md'), 'utf8');
        expect(markdown).toMatch(/^\| sync +\| records \| script \| API calls \| quota units \| min units \|/m);
        for (const sync of SYNCS) expect(markdown).toMatch(new RegExp(`^\\| ${sync} +\\| +\\d+ \\| ours `, 'm'));
        expect(stdout).toContain('# Bench results');
    });
});

describe('npm run bench --out-dir', () => {
    it('refuses a folder it cannot write before measuring anything', async () => {
        const file = join(freshLocalDir(), 'a-file');
        writeFileSync(file, '');
        const bin = join(REPO, 'node_modules', '.bin');
        const child = spawn(join(bin, 'tsx'), ['bench/run.ts', '--sizes', '60', '--out-dir', join(file, 'results')], {
            cwd: REPO,
            env: { ...process.env, PATH: `${bin}${delimiter}${process.env['PATH'] ?? ''}` },
            stdio: ['ignore', 'pipe', 'pipe']
        });
        let output = '';
        child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
        child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
        const code = await new Promise((resolve) => child.on('close', resolve));
        expect(code).toBe(1);
        expect(output).toContain(`--out-dir ${join(file, 'results')}: cannot write there`);
        expect(output).toContain('nothing was measured');
        for (const sync of SYNCS) expect(output).not.toContain(sync);
    });
});
