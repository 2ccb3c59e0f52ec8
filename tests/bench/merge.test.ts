import { describe, expect, it } from 'vitest';
import { mergeReports } from '../../bench/merge.js';
import type { Report } from '../../bench/report.js';
import type { CaseResult } from '../../bench/run.js';

const report = (generatedAt: string, cases: [string, number, number][], benchWallMs = 1_000): Report => ({
    generatedAt,
    machine: { node: 'v22', cpus: 2, cpuModel: 'test', memoryBytes: 0 },
    settings: { sizes: [...new Set(cases.map(([, size]) => size))], latencyMs: 100, scale: null, only: null, naiveMax: Infinity },
    benchWallMs,
    // Only what merging reads; `records` tells the runs apart.
    results: cases.map(([sync, size, records]) => ({ sync, size, records }) as CaseResult)
});

describe('bench --render --merge', () => {
    it('takes each case from the last run that measured it, in the bench’s order, and says which run measured which', () => {
        const base = report('2026-11-21T12:00:00.000Z', [
            ['gmail-threads', 1_000, 1],
            ['gmail-threads', 10_000, 1],
            ['salesforce-leads', 10_000, 1],
            ['events', 10_000, 1]
        ]);
        const contacts = report('2026-12-01T10:00:00.000Z', [['gmail-contacts', 100_000, 2]], 60_000);
        const gmail = report('2026-12-01T11:00:00.000Z', [['gmail-threads', 10_000, 3]], 90_000);
        const merged = mergeReports(base, [contacts, gmail], ['gmail-threads', 'gmail-contacts', 'salesforce-leads', 'events']);
        expect(merged.results.map((r) => [r.sync, r.size, r.records])).toEqual([
            ['gmail-threads', 1_000, 1],
            ['gmail-threads', 10_000, 3],
            ['gmail-contacts', 100_000, 2],
            ['salesforce-leads', 10_000, 1],
            ['events', 10_000, 1]
        ]);
        expect(merged.merged).toEqual([
            { generatedAt: base.generatedAt, cases: ['gmail-threads at 1,000', 'salesforce-leads at 10,000', 'events at 10,000'] },
            { generatedAt: contacts.generatedAt, cases: ['gmail-contacts at 100,000'] },
            { generatedAt: gmail.generatedAt, cases: ['gmail-threads at 10,000'] }
        ]);
        expect(merged.generatedAt).toBe(gmail.generatedAt);
        expect(merged.settings.sizes).toEqual([1_000, 10_000, 100_000]);
        expect(merged.benchWallMs).toBe(151_000);
    });
});
