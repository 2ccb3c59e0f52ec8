import { describe, expect, it } from 'vitest';
import { compareCase, compareReports, renderComparison } from '../../bench/compare.js';
import type { Report } from '../../bench/report.js';
import type { CaseResult, Measure } from '../../bench/run.js';

const MB = 1024 * 1024;

function measure(over: Partial<Measure> = {}): Measure {
    return {
        status: 'success',
        records: 10_000,
        correct: true,
        calls: 10,
        units: 10,
        limited: 0,
        wallMs: 900,
        simMs: 2_000,
        throughput: 5_000,
        memory: { liveHeapGrowth: 4 * MB, heapGrowth: 20 * MB, rssGrowth: 5 * MB, baselineRss: 200 * MB, baselineHeap: 40 * MB },
        time: { waitMs: 1_000, localCpuMs: 1_000, runtime: { recordsMs: 300, validationMs: 200 }, runtimeExcluded: true },
        ...over
    };
}

/** A case whose limit is 10,000 records/s, so `of limit` is the throughput divided by 10,000. */
function result(ours: Partial<Measure> = {}, over: Partial<CaseResult> = {}): CaseResult {
    const m = measure(ours);
    return {
        sync: 'gmail-contacts',
        size: 10_000,
        records: m.records,
        floor: {
            minCalls: 10,
            minUnits: 10,
            sequentialCalls: 10,
            quotaThroughput: null,
            latencyThroughput: 10_000,
            limitThroughput: 10_000,
            sustainedThroughput: 1_500,
            boundBy: 'latency'
        },
        ours: m,
        naive: null,
        ratios: {
            unitsToFloor: 1,
            throughputToLimit: m.throughput / 10_000,
            unitsToNaive: null,
            speedupOverNaive: null,
            heapToNaive: null
        },
        ...over
    };
}

/** The same case measured again at `simMs`, with throughput following. */
function timed(simMs: number, over: Partial<Measure> = {}): CaseResult {
    return result({ simMs, throughput: 10_000 / (simMs / 1000), ...over });
}

describe('bench --compare', () => {
    it('flags no regression when every figure is within 10%', () => {
        const compared = compareCase(timed(2_000), timed(2_190, { calls: 11, memory: { ...measure().memory, liveHeapGrowth: 4.3 * MB } }));
        expect(compared.regressions).toEqual([]);
        expect(compared.figures.map((f) => f.name)).toEqual(['time', 'of limit', 'calls', 'heap']);
    });

    it('flags a time more than 10% longer, and the share of the limit that fell with it', () => {
        const compared = compareCase(timed(2_000), timed(2_300));
        expect(compared.regressions).toEqual(['time', 'of limit']);
        const time = compared.figures.find((f) => f.name === 'time')!;
        expect(time.change).toBeCloseTo(0.15, 9);
    });

    it('flags more API calls, and a cache that no longer matches the provider', () => {
        const compared = compareCase(timed(2_000), timed(2_000, { calls: 12, correct: false }));
        expect(compared.regressions).toEqual(['cache', 'calls']);
        expect(compared.lostCorrectness).toBe(true);
    });

    it('judges live heap growth only beyond 10% and 1 MB: a few hundred KB is the collector’s timing', () => {
        const heap = (bytes: number) => ({ memory: { ...measure().memory, liveHeapGrowth: bytes } });
        expect(compareCase(timed(2_000, heap(4 * MB)), timed(2_000, heap(4.9 * MB))).regressions).toEqual([]);
        expect(compareCase(timed(2_000, heap(4 * MB)), timed(2_000, heap(5.5 * MB))).regressions).toEqual(['heap']);
        expect(compareCase(timed(2_000, heap(0.2 * MB)), timed(2_000, heap(0.9 * MB))).regressions).toEqual([]);
    });

    it('an improvement is never a regression', () => {
        const compared = compareCase(timed(2_000, { calls: 12 }), timed(1_000, { calls: 10 }));
        expect(compared.regressions).toEqual([]);
        expect(compared.figures.find((f) => f.name === 'of limit')!.change).toBeCloseTo(1, 9);
    });

    it('puts a new measurement on the footing of results written before the split: the runtime’s time is added back', () => {
        // Before the split the 500 ms of store and validation were inside the time; now they are reported apart.
        const before = timed(2_500);
        delete before.ours.time;
        const compared = compareCase(before, timed(2_000));
        const time = compared.figures.find((f) => f.name === 'time')!;
        expect(time.after).toBe(2_500);
        expect(compared.regressions).toEqual([]);
        expect(compared.note).toMatch(/adds them back/);
        // Without the adjustment the same run would look 20% faster than it is.
        expect(compareCase(timed(2_500), timed(2_000)).figures.find((f) => f.name === 'time')!.after).toBe(2_000);
    });

    it('does not compare runs over different data', () => {
        const compared = compareCase(timed(2_000), { ...timed(4_000), records: 9_000 });
        expect(compared.figures).toEqual([]);
        expect(compared.regressions).toEqual([]);
        expect(compared.note).toMatch(/different data/);
    });

    it('matches cases by sync and size, lists the unmatched ones and counts the regressed cases', () => {
        const report = (results: CaseResult[]): Report => ({
            generatedAt: '2026-12-01T00:00:00.000Z',
            machine: { node: 'v22', cpus: 2, cpuModel: 'test', memoryBytes: 0 },
            settings: { sizes: [10_000], latencyMs: 100, scale: null, only: null, naiveMax: Infinity },
            benchWallMs: 0,
            results
        });
        const before = report([timed(2_000), { ...timed(2_000), sync: 'events' }]);
        const after = report([timed(3_000), { ...timed(2_000), size: 100_000 }]);
        const comparison = compareReports(before, after);
        expect(comparison.cases.map((c) => `${c.sync} ${c.size}`)).toEqual(['gmail-contacts 10000']);
        expect(comparison.onlyAfter).toEqual(['gmail-contacts at 100,000']);
        expect(comparison.onlyBefore).toEqual(['events at 10,000']);
        expect(comparison.regressions).toBe(1);
        const text = renderComparison(comparison, 'bench/results.json');
        expect(text).toMatch(/2\.0 s → 3\.0 s \(\+50%\) \*\*worse\*\*/);
        expect(text).toMatch(/1 case\(s\) regressed: exit code 1/);
    });
});
