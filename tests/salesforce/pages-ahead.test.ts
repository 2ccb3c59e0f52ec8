/**
 * Both Salesforce syncs read their query one page ahead (nango-integrations/salesforce/pages.ts): these scenarios
 * check what that must not change. Saves and checkpoints keep their order, a failure of a page asked ahead is the
 * failure a one-at-a-time read would have had, nothing is written or sent once a run has failed or was cut, and a
 * cut after any HTTP answer or any save resumes to the cache of an uncut run.
 */
import { describe, expect, it } from 'vitest';
import { OK, Scenario, summary, type SyncName } from './support.js';

const SYNCS: [SyncName, { leads: number; opportunities: number }][] = [
    ['salesforce-leads', { leads: 1000, opportunities: 10 }],
    ['salesforce-opportunities', { leads: 10, opportunities: 1000 }]
];

/** An org answering in pages of 200, so a first run reads five or six pages. */
function paged(size: { leads: number; opportunities: number }): Scenario {
    const s = new Scenario(size);
    s.sim.store.pageSizeCap = 200;
    return s;
}

function byId(rows: Record<string, unknown>[]): Record<string, unknown>[] {
    return [...rows].sort((a, b) => String(a['id']).localeCompare(String(b['id'])));
}

/**
 * For each k from 1 to `steps`, a fresh `prepare`d org whose run is cut at step k, then resumed: what went wrong, as
 * lines (none when every cut resumed to the provider's truth and to the uncut run's cache).
 */
async function cutAtEveryStep(
    name: SyncName,
    cut: 'stopAfterHttpAnswers' | 'stopAfterSaves',
    steps: number,
    prepare: () => Promise<Scenario>,
    uncut: Scenario
): Promise<string[]> {
    const failures: string[] = [];
    for (let k = 1; k <= steps; k += 1) {
        const s = await prepare();
        const first = await s.sync(name, { [cut]: k });
        if (first.status !== 'interrupted') failures.push(`k=${k}: ${first.status}`);
        const resumed = await s.sync(name);
        if (resumed.status !== 'success') failures.push(`k=${k}: resumed ${resumed.status} ${resumed.error?.message ?? ''}`);
        if (!s.verdict(name).ok) failures.push(`k=${k}: ${JSON.stringify(summary(s.verdict(name)))}`);
        if (JSON.stringify(byId(s.live(name))) !== JSON.stringify(byId(uncut.live(name)))) failures.push(`k=${k}: cache differs`);
    }
    return failures;
}

describe.each(SYNCS)('%s: one page ahead', (name, size) => {
    it('saves every page in order, one call a page plus the describe', async () => {
        const s = paged(size);
        const result = await s.sync(name);
        expect(result.status).toBe('success');
        // The first run's start, then one checkpoint per page.
        const pages = result.checkpoints - 1;
        expect(pages).toBeGreaterThanOrEqual(5);
        expect(result.calls).toBe(1 + pages);
        const stamps = s.savedCheckpoints.slice(1).map((c) => (c as { since: string }).since);
        expect(stamps).toEqual([...stamps].sort());
        expect(summary(s.verdict(name))).toMatchObject(OK);
    });

    it('fails on a page asked ahead where a one-at-a-time read would, after the same retries, with its checkpoint kept', async () => {
        const s = paged(size);
        // queryMore: the second page's request and every proxy retry of it (retries: 3) answer 500.
        s.sim.core.faults.inject('queryMore', { kind: 'status', status: 500 }, 4);
        const result = await s.sync(name);
        expect(result.status).toBe('failed');
        expect(result.error?.message).toMatch(/Salesforce refused GET \/services\/data\/v\d+\.0\/queryAll\/\w+-200 \(HTTP 500\)/);
        // describe, the first page, four attempts at the second.
        expect(result.calls).toBe(6);
        expect(s.live(name)).toHaveLength(200);
        // The first run's start, then the first page's: the failure came after both.
        expect(result.checkpoints).toBe(2);
        const next = await s.sync(name);
        expect(next.status).toBe('success');
        expect(summary(s.verdict(name))).toMatchObject(OK);
    });

    it('writes and sends nothing once a run failed, though the next page was on its way', async () => {
        const s = paged(size);
        // Nango refuses the first page's records (request_too_large): the run fails while the second page is asked.
        const result = await s.sync(name, { limits: { recordsRequestBytes: 1000 } });
        expect(result.status).toBe('failed');
        expect(result.error?.message).toMatch(/request_too_large/);
        // describe, the first page, the second one asked ahead: its answer was read by nobody.
        expect(result.calls).toBe(3);
        const calls = s.sim.core.meter.totals().calls;
        const logs = result.logs.length;
        await new Promise((resolve) => setTimeout(resolve, 20));
        expect(s.sim.core.meter.totals().calls).toBe(calls);
        expect(result.logs).toHaveLength(logs);
        expect(s.live(name)).toEqual([]);
        expect(result.checkpoints).toBe(1);
    });

    it.each(['stopAfterHttpAnswers', 'stopAfterSaves'] as const)(
        'resumes to the cache of an uncut run after a cut at any step (%s)',
        async (cut) => {
            const uncut = paged(size);
            const whole = await uncut.sync(name);
            expect(whole.status).toBe('success');
            const steps = cut === 'stopAfterHttpAnswers' ? whole.httpAnswers : whole.saves;
            expect(steps).toBeGreaterThanOrEqual(5);
            expect(await cutAtEveryStep(name, cut, steps, async () => paged(size), uncut)).toEqual([]);
        }
    );

    it.each(['stopAfterHttpAnswers', 'stopAfterSaves'] as const)(
        'resumes an incremental run (describe answered 304, several pages) after a cut at any step (%s)',
        async (cut) => {
            const activity =
                name === 'salesforce-leads' ? ['mass-update-leads', 'delete-leads'] : ['edit-opportunities', 'delete-opportunities'];
            const prepared = () => {
                const s = paged(size);
                return s.sync(name).then(() => {
                    s.clock.advance(10 * 60_000);
                    for (const a of activity) s.sim.applyActivity(a);
                    if (name === 'salesforce-opportunities') s.sim.store.pageSizeCap = 2;
                    return s;
                });
            };
            const uncut = await prepared();
            const describes: number[] = [];
            const whole = await uncut.sync(name, {
                onHttpAnswer: (_count, answer) => void (answer.url.includes('/describe') && describes.push(answer.status))
            });
            expect(whole.status).toBe('success');
            expect(describes).toEqual([304]);
            const steps = cut === 'stopAfterHttpAnswers' ? whole.httpAnswers : whole.saves;
            expect(steps).toBeGreaterThanOrEqual(4);
            expect(await cutAtEveryStep(name, cut, steps, prepared, uncut)).toEqual([]);
        }
    );
});
