import { formatBytes, formatInt, formatMs, markdownTable } from '../runner/format.js';
import type { Report } from './report.js';
import type { CaseResult, Measure } from './run.js';

/**
 * `npm run bench -- --compare <results.json>`: our figures of each case measured now beside those of an earlier run
 * (the committed bench/results.json), with every regression over the threshold flagged. Only our syncs are judged;
 * the naive baselines are context, not code we ship.
 */

/** Worse by more than this share is a regression: time, calls and heap up, share of the limit down. */
export const REGRESSION_THRESHOLD = 0.1;
/**
 * Live heap growth below this difference is not judged: it moves by a few hundred KB from run to run with when the
 * collector runs, which on a 4 MB figure is more than 10%.
 */
export const HEAP_NOISE_BYTES = 1024 * 1024;
/** Runs whose data differ by more than this share of records (another seed or generator) are not compared. */
const SAME_DATA_TOLERANCE = 0.01;

export type FigureName = 'time' | 'of limit' | 'calls' | 'heap';

export interface FigureChange {
    name: FigureName;
    before: number;
    after: number;
    /** after ÷ before − 1; null when before is 0. */
    change: number | null;
    regression: boolean;
}

export interface CaseComparison {
    sync: string;
    size: number;
    records: { before: number; after: number };
    figures: FigureChange[];
    /** A cache that matched the provider before and does not now. */
    lostCorrectness: boolean;
    /** Why the case was not judged, or what its figures mean. */
    note: string | null;
    regressions: string[];
}

export interface Comparison {
    cases: CaseComparison[];
    /** Cases measured now that the earlier run does not have, and the reverse. */
    onlyAfter: string[];
    onlyBefore: string[];
    regressions: number;
}

const key = (r: Pick<CaseResult, 'sync' | 'size'>) => `${r.sync} at ${formatInt(r.size)}`;

/**
 * Results written before the runtime's time was split off (no `time`) counted the records store and validation in
 * the run's time. A new measurement is put back on that footing, adding them as if in series, so like is compared
 * with like (bench/runtime-time.ts).
 */
function comparableTime(before: Measure, after: Measure): { ms: number; adjusted: boolean } {
    if (before.time !== undefined || after.time === undefined || !after.time.runtimeExcluded) return { ms: after.simMs, adjusted: false };
    return { ms: after.simMs + after.time.runtime.recordsMs + after.time.runtime.validationMs, adjusted: true };
}

function figure(name: FigureName, before: number, after: number, worse: 'up' | 'down', threshold: number, noise = 0): FigureChange {
    const change = before === 0 ? null : after / before - 1;
    const worseBy = worse === 'up' ? after - before : before - after;
    // Exactly 10% worse (10 calls to 11) is within the threshold; 1e-9 absorbs the division's rounding.
    const regression =
        worseBy > noise && (before === 0 ? worse === 'up' && after > 0 : (worse === 'up' ? change! : -change!) > threshold + 1e-9);
    return { name, before, after, change, regression };
}

export function compareCase(before: CaseResult, after: CaseResult, threshold = REGRESSION_THRESHOLD): CaseComparison {
    const records = { before: before.records, after: after.records };
    const base = { sync: after.sync, size: after.size, records };
    if (Math.abs(after.records - before.records) > SAME_DATA_TOLERANCE * Math.max(1, before.records)) {
        return {
            ...base,
            figures: [],
            lostCorrectness: false,
            note: `not compared: different data (${formatInt(before.records)} records before, ${formatInt(after.records)} now)`,
            regressions: []
        };
    }
    const time = comparableTime(before.ours, after.ours);
    const limit = after.floor.limitThroughput;
    const figures = [
        figure('time', before.ours.simMs, time.ms, 'up', threshold),
        figure(
            'of limit',
            before.ratios.throughputToLimit,
            time.ms > 0 ? after.ours.records / (time.ms / 1000) / limit : 0,
            'down',
            threshold
        ),
        figure('calls', before.ours.calls, after.ours.calls, 'up', threshold),
        figure('heap', before.ours.memory.liveHeapGrowth, after.ours.memory.liveHeapGrowth, 'up', threshold, HEAP_NOISE_BYTES)
    ];
    const lostCorrectness = before.ours.correct && !after.ours.correct;
    const regressions = [...(lostCorrectness ? ['cache'] : []), ...figures.filter((f) => f.regression).map((f) => f.name)];
    return {
        ...base,
        figures,
        lostCorrectness,
        note: time.adjusted ? 'earlier run counted the runtime’s store and validation in its time: the new time adds them back' : null,
        regressions
    };
}

export function compareReports(before: Report, after: Report, threshold = REGRESSION_THRESHOLD): Comparison {
    const earlier = new Map(before.results.map((r) => [key(r), r]));
    const now = new Set(after.results.map(key));
    const cases: CaseComparison[] = [];
    const onlyAfter: string[] = [];
    for (const result of after.results) {
        const previous = earlier.get(key(result));
        if (previous) cases.push(compareCase(previous, result, threshold));
        else onlyAfter.push(key(result));
    }
    const onlyBefore = before.results.map(key).filter((k) => !now.has(k));
    return { cases, onlyAfter, onlyBefore, regressions: cases.filter((c) => c.regressions.length > 0).length };
}

const show: Record<FigureName, (value: number) => string> = {
    time: formatMs,
    'of limit': (value) => `${Math.round(value * 100)}%`,
    calls: formatInt,
    heap: formatBytes
};

function cell(change: FigureChange | undefined): string {
    if (!change) return '-';
    const delta = change.change === null ? '' : ` (${change.change >= 0 ? '+' : ''}${Math.round(change.change * 100)}%)`;
    return `${show[change.name](change.before)} → ${show[change.name](change.after)}${delta}${change.regression ? ' **worse**' : ''}`;
}

export function renderComparison(comparison: Comparison, beforeLabel: string): string {
    const table = markdownTable(
        [
            { title: 'sync' },
            { title: 'size', align: 'right' },
            { title: 'time (API)', align: 'right' },
            { title: 'of limit', align: 'right' },
            { title: 'API calls', align: 'right' },
            { title: 'peak live heap Δ', align: 'right' },
            { title: 'regressions' }
        ],
        comparison.cases.map((c) => {
            const by = (name: FigureName) => c.figures.find((f) => f.name === name);
            return [
                c.sync,
                formatInt(c.size),
                cell(by('time')),
                cell(by('of limit')),
                cell(by('calls')),
                cell(by('heap')),
                [c.regressions.join(', ') || 'none', c.note].filter(Boolean).join('; ')
            ];
        })
    );
    const lines = [
        `## Compared with ${beforeLabel}`,
        '',
        `Ours only, earlier → now; **worse** marks a regression over ${Math.round(REGRESSION_THRESHOLD * 100)}% (time, calls, ` +
            `heap up; share of the limit down; live heap only when it also grew by more than ${formatBytes(HEAP_NOISE_BYTES)}), ` +
            'and a cache that no longer matches the provider.',
        '',
        table,
        ''
    ];
    if (comparison.onlyAfter.length > 0) lines.push(`Not in the earlier run: ${comparison.onlyAfter.join(', ')}.`, '');
    if (comparison.onlyBefore.length > 0) lines.push(`Not measured now: ${comparison.onlyBefore.join(', ')}.`, '');
    lines.push(comparison.regressions === 0 ? 'No regression.' : `${comparison.regressions} case(s) regressed: exit code 1.`, '');
    return lines.join('\n');
}
