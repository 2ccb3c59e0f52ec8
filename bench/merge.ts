import { formatInt } from '../runner/format.js';
import type { Report } from './report.js';
import type { CaseResult } from './run.js';

/**
 * `--render <base.json> --merge <a.json>,<b.json>`: one report from several runs, each case (sync and size) taken
 * from the last run that measured it. The whole bench at 100k is minutes of CPU; re-running only the cases a change
 * touched, and merging them into the committed figures, keeps the others as they were measured, with their date.
 */
export interface MergedRun {
    generatedAt: string;
    /** `sync at size` of each case this run supplied. */
    cases: string[];
}

const caseKey = (r: Pick<CaseResult, 'sync' | 'size'>) => `${r.sync} at ${r.size}`;

export function mergeReports(base: Report, updates: readonly Report[], order: readonly string[]): Report {
    const bySync = new Map<string, CaseResult>();
    const source = new Map<string, string>();
    for (const report of [base, ...updates]) {
        for (const result of report.results) {
            bySync.set(caseKey(result), result);
            source.set(caseKey(result), report.generatedAt);
        }
    }
    const rank = (sync: string) => (order.includes(sync) ? order.indexOf(sync) : order.length);
    const results = [...bySync.values()].sort((a, b) => rank(a.sync) - rank(b.sync) || a.sync.localeCompare(b.sync) || a.size - b.size);
    const runs = new Map<string, string[]>();
    for (const result of results) {
        const at = source.get(caseKey(result))!;
        runs.set(at, [...(runs.get(at) ?? []), `${result.sync} at ${formatInt(result.size)}`]);
    }
    const latest = [base, ...updates].reduce((a, b) => (a.generatedAt >= b.generatedAt ? a : b));
    return {
        ...latest,
        settings: { ...latest.settings, sizes: [...new Set(results.map((r) => r.size))].sort((a, b) => a - b), only: null },
        benchWallMs: [base, ...updates].reduce((sum, r) => sum + r.benchWallMs, 0),
        results,
        merged: [...runs].sort(([a], [b]) => a.localeCompare(b)).map(([generatedAt, cases]) => ({ generatedAt, cases }))
    };
}
