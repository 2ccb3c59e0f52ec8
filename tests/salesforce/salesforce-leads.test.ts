import { describe, expect, it } from 'vitest';
import { MAX_SAVED_AT_SINCE } from '../../nango-integrations/salesforce/incremental.js';
import { checkpointProblems } from './checkpoint-limits.js';
import { CONN, OK, Scenario, summary } from './support.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

describe('salesforce-leads: first run and increments', () => {
    it('caches every live lead on a first run in ceil(N / 2000) query calls plus one describe', async () => {
        const s = new Scenario({ leads: 4100, opportunities: 10 });
        const live = s.liveCount('Lead');
        // queryAll also returns the recycle bin, which the first run steps over.
        const rows = s.sim.store.table('Lead').size;
        const result = await s.sync('salesforce-leads');
        expect(result.status).toBe('success');
        expect(result.calls).toBe(1 + Math.ceil(rows / 2000));
        expect(result.byModel['SalesforceLead']).toEqual({ added: live, updated: 0, deleted: 0 });
        expect(summary(s.verdict('salesforce-leads'))).toMatchObject(OK);
        const newest = Math.max(...[...s.sim.store.table('Lead').values()].map((r) => r['SystemModstamp'] as number));
        expect(s.checkpoint('salesforce-leads')?.since).toBe(new Date(newest).toISOString());
    });

    it('maps every model field from the org, with date-times in ISO form', async () => {
        const s = new Scenario({ leads: 300 });
        await s.sync('salesforce-leads');
        const converted = [...s.sim.store.table('Lead').values()].find((r) => r['IsConverted'] === true && r['IsDeleted'] !== true)!;
        const cached = s.live('salesforce-leads').find((r) => r['id'] === converted['Id'])!;
        expect(cached).toEqual({
            id: converted['Id'],
            salutation: converted['Salutation'],
            firstName: converted['FirstName'],
            middleName: converted['MiddleName'],
            lastName: converted['LastName'],
            company: converted['Company'],
            title: converted['Title'],
            email: converted['Email'],
            phone: converted['Phone'],
            website: converted['Website'],
            industry: converted['Industry'],
            status: 'Closed - Converted',
            leadSource: converted['LeadSource'],
            ownerId: converted['OwnerId'],
            ownerName: s.sim.store.table('User').get(String(converted['OwnerId']).slice(0, 15))!['Name'],
            isConverted: true,
            convertedAccountId: converted['ConvertedAccountId'],
            convertedContactId: converted['ConvertedContactId'],
            convertedOpportunityId: converted['ConvertedOpportunityId'],
            createdDate: new Date(converted['CreatedDate'] as number).toISOString(),
            lastModifiedDate: new Date(converted['LastModifiedDate'] as number).toISOString(),
            systemModstamp: new Date(converted['SystemModstamp'] as number).toISOString()
        });
    });

    it('saves and deletes nothing on a second run when nothing changed, in three calls', async () => {
        const s = new Scenario();
        await s.sync('salesforce-leads');
        const again = await s.sync('salesforce-leads');
        expect(again.status).toBe('success');
        expect(again.records).toBe(0);
        expect(again.byModel['SalesforceLead']).toEqual({ added: 0, updated: 0, deleted: 0 });
        // describe, the deletion log's earliestDateAvailable, one query page.
        expect(again.calls).toBe(3);
    });

    it('picks up edits, new leads, conversions and automation-only changes (SystemModstamp without LastModifiedDate)', async () => {
        const s = new Scenario();
        await s.sync('salesforce-leads');
        s.clock.advance(10 * MINUTE);
        s.sim.applyActivity('edit-leads');
        s.sim.applyActivity('new-leads');
        s.clock.advance(1000);
        s.sim.applyActivity('system-touch-leads');
        s.sim.applyActivity('convert-leads');
        expect(s.verdict('salesforce-leads').ok).toBe(false);
        const result = await s.sync('salesforce-leads');
        expect(result.status).toBe('success');
        expect(result.byModel['SalesforceLead']!.added).toBe(10);
        expect(result.byModel['SalesforceLead']!.updated).toBeGreaterThanOrEqual(25);
        expect(summary(s.verdict('salesforce-leads'))).toMatchObject(OK);
    });

    it('saves a lead changed again within the second the last run stopped at', async () => {
        const s = new Scenario();
        s.clock.advance(5 * MINUTE);
        s.sim.applyActivity('edit-leads');
        await s.sync('salesforce-leads');
        // Same virtual second as the checkpoint: the stamp does not move, only the content does.
        const since = s.checkpoint('salesforce-leads')!.since;
        const lead = [...s.sim.store.table('Lead').values()].find((r) => new Date(r['SystemModstamp'] as number).toISOString() === since)!;
        s.sim.store.update('Lead', String(lead['Id']), { Title: 'Changed in the same second' });
        expect(new Date(s.sim.store.table('Lead').get(String(lead['Id']).slice(0, 15))!['SystemModstamp'] as number).toISOString()).toBe(
            since
        );
        const result = await s.sync('salesforce-leads');
        expect(result.records).toBe(1);
        expect(s.live('salesforce-leads').find((r) => r['id'] === lead['Id'])!['title']).toBe('Changed in the same second');
    });
});

describe('salesforce-leads: pages, interruptions and shared stamps', () => {
    it('resumes after a crash between pages without skipping, refetching only what the checkpoint could not remember', async () => {
        const s = new Scenario({ leads: 1000 });
        s.sim.store.pageSizeCap = 200;
        const live = s.liveCount('Lead');
        // Checkpoints: the first run's start, then one per page; cut after the second page.
        const first = await s.sync('salesforce-leads', { stopAfterCheckpoints: 3 });
        expect(first.status).toBe('interrupted');
        expect(s.live('salesforce-leads')).toHaveLength(400);
        const { since, savedAtSince } = s.checkpoint('salesforce-leads')!;
        const savedAtTheCut = s
            .ordered('Lead')
            .slice(0, 400)
            .filter((r) => new Date(r.stamp).toISOString() === since).length;
        const second = await s.sync('salesforce-leads');
        expect(second.status).toBe('success');
        // The rows of the cut's second past the remembered bound are saved again; nothing else is.
        expect(second.records).toBe(live - 400 + savedAtTheCut - savedAtSince.split(',').length);
        expect(summary(s.verdict('salesforce-leads'))).toMatchObject(OK);

        const uninterrupted = new Scenario({ leads: 1000 });
        uninterrupted.sim.store.pageSizeCap = 200;
        await uninterrupted.sync('salesforce-leads');
        const byId = (rows: Record<string, unknown>[]) => [...rows].sort((a, b) => String(a['id']).localeCompare(String(b['id'])));
        expect(byId(s.live('salesforce-leads'))).toEqual(byId(uninterrupted.live('salesforce-leads')));
    });

    it('keeps every lead of a SystemModstamp shared across a page boundary when the run is cut there', async () => {
        const s = new Scenario({ leads: 1200 });
        s.sim.store.pageSizeCap = 200;
        const order = s.ordered('Lead');
        const counts = new Map<number, number>();
        for (const row of order) counts.set(row.stamp, (counts.get(row.stamp) ?? 0) + 1);
        const [sharedStamp, size] = [...counts].sort((a, b) => b[1] - a[1])[0]!;
        expect(size).toBeGreaterThan(200);
        const firstIndex = order.findIndex((row) => row.stamp === sharedStamp);
        // The first page boundary that falls inside the shared second.
        const cutAfterPages = Math.floor(firstIndex / 200) + 1;
        expect(cutAfterPages * 200).toBeLessThan(firstIndex + size);

        // The first run's start is a checkpoint of its own.
        const first = await s.sync('salesforce-leads', { stopAfterCheckpoints: cutAfterPages + 1 });
        expect(first.status).toBe('interrupted');
        const checkpoint = s.checkpoint('salesforce-leads')!;
        expect(checkpoint.since).toBe(new Date(sharedStamp).toISOString());
        expect(checkpoint.savedAtSince.split(',')).toHaveLength(cutAfterPages * 200 - firstIndex);

        const second = await s.sync('salesforce-leads');
        expect(second.status).toBe('success');
        // The rows already saved at the shared stamp come back from `>=` and are dropped, not saved twice.
        expect(second.records).toBe(order.length - cutAfterPages * 200);
        expect(summary(s.verdict('salesforce-leads'))).toMatchObject(OK);
    });

    it('syncs a mass update of thousands of leads saved in one second, across several pages', async () => {
        const s = new Scenario({ leads: 3000 });
        await s.sync('salesforce-leads');
        s.sim.store.pageSizeCap = 500;
        s.clock.advance(MINUTE);
        expect(s.sim.applyActivity('mass-update-leads')).toMatch(/^mass-updated 2500 leads/);
        const cut = await s.sync('salesforce-leads', { stopAfterCheckpoints: 2 });
        expect(cut.status).toBe('interrupted');
        const rest = await s.sync('salesforce-leads');
        expect(rest.status).toBe('success');
        // Past the remembered bound, rows of the shared second that the cut run saved are saved again.
        expect(cut.records + rest.records).toBe(2500 + cut.records - MAX_SAVED_AT_SINCE);
        expect(summary(s.verdict('salesforce-leads'))).toMatchObject(OK);
    });

    it("keeps every checkpoint within Nango's limits through mass updates of thousands of leads in one second", async () => {
        const s = new Scenario({ leads: 6000, opportunities: 10 });
        await s.sync('salesforce-leads');
        s.clock.advance(MINUTE);
        expect(s.sim.applyActivity('mass-update-leads')).toMatch(/^mass-updated 2500 leads/);
        const whole = await s.sync('salesforce-leads');
        expect(whole.status).toBe('success');
        expect(summary(s.verdict('salesforce-leads'))).toMatchObject(OK);

        s.sim.store.pageSizeCap = 500;
        s.clock.advance(MINUTE);
        s.sim.applyActivity('mass-update-leads');
        const cut = await s.sync('salesforce-leads', { stopAfterCheckpoints: 3 });
        expect(cut.status).toBe('interrupted');
        const rest = await s.sync('salesforce-leads');
        expect(rest.status).toBe('success');
        expect(summary(s.verdict('salesforce-leads'))).toMatchObject(OK);
        // Rows past the remembered boundary are saved again, never skipped: an unchanged org stays equal.
        const again = await s.sync('salesforce-leads');
        expect(again.status).toBe('success');
        expect(again.byModel['SalesforceLead']).toMatchObject({ added: 0, deleted: 0 });
        expect(summary(s.verdict('salesforce-leads'))).toMatchObject(OK);

        expect(s.savedCheckpoints.length).toBeGreaterThan(5);
        for (const checkpoint of s.savedCheckpoints) expect(checkpointProblems(checkpoint)).toEqual([]);
    });

    it('does not rely on a query locator across runs, even one that expired in between', async () => {
        const s = new Scenario({ leads: 1000 });
        s.sim.store.pageSizeCap = 200;
        await s.sync('salesforce-leads', { stopAfterCheckpoints: 1 });
        s.clock.advance(20 * MINUTE);
        s.sim.applyActivity('expire-query-locators');
        const result = await s.sync('salesforce-leads');
        expect(result.status).toBe('success');
        expect(summary(s.verdict('salesforce-leads'))).toMatchObject(OK);
    });
});

describe('salesforce-leads: deletions', () => {
    it('removes leads deleted since the last run, and brings back undeleted ones', async () => {
        const s = new Scenario();
        await s.sync('salesforce-leads');
        s.clock.advance(MINUTE);
        s.sim.applyActivity('delete-leads');
        const deleted = await s.sync('salesforce-leads');
        expect(deleted.byModel['SalesforceLead']).toEqual({ added: 0, updated: 0, deleted: 5 });
        expect(summary(s.verdict('salesforce-leads'))).toMatchObject(OK);

        s.clock.advance(MINUTE);
        s.sim.applyActivity('undelete-leads');
        const restored = await s.sync('salesforce-leads');
        expect(restored.byModel['SalesforceLead']!.added).toBe(3);
        expect(summary(s.verdict('salesforce-leads'))).toMatchObject(OK);
    });

    it('removes leads deleted while a run was under way, on the next run', async () => {
        const s = new Scenario({ leads: 1000 });
        s.sim.store.pageSizeCap = 200;
        let applied = false;
        const during = await s.sync('salesforce-leads', {
            onProgress: (progress) => {
                // After the first page is saved: the query's snapshot is taken, more pages are to come.
                if (applied || progress.records === 0) return;
                applied = true;
                s.clock.advance(2000);
                s.sim.applyActivity('delete-leads');
                s.sim.applyActivity('edit-leads');
            }
        });
        expect(during.status).toBe('success');
        expect(applied).toBe(true);
        // The run read a snapshot taken before the deletions: they are still cached.
        expect(s.verdict('salesforce-leads').notDeleted).toHaveLength(5);
        const next = await s.sync('salesforce-leads');
        expect(next.status).toBe('success');
        expect(summary(s.verdict('salesforce-leads'))).toMatchObject(OK);
    });

    // Found by the chaos campaign (npm run chaos -- --only salesforce-leads --seed 4140377463).
    it('removes the leads a first run saved before it died, without a checkpoint of its pages, once they are deleted', async () => {
        const s = new Scenario({ leads: 300 });
        expect((await s.sync('salesforce-leads', { stopAfterSaves: 1 })).status).toBe('interrupted');
        expect(s.live('salesforce-leads').length).toBeGreaterThan(0);
        s.clock.advance(MINUTE);
        s.sim.applyActivity('delete-leads');
        expect((await s.sync('salesforce-leads')).status).toBe('success');
        expect(summary(s.verdict('salesforce-leads'))).toMatchObject(OK);
    });

    it('does not resave leads that were in the recycle bin before the first run', async () => {
        const s = new Scenario({ leads: 2000 });
        const binned = s.sim.store.binnedIds('Lead');
        expect(binned.length).toBeGreaterThan(0);
        const result = await s.sync('salesforce-leads');
        expect(result.byModel['SalesforceLead']!.deleted).toBe(0);
        const cachedIds = new Set(s.store.allRecords(CONN, 'SalesforceLead').map((r) => r.id.slice(0, 15)));
        for (const id15 of binned) expect(cachedIds.has(id15)).toBe(false);
    });
});

describe('salesforce-leads: deletions Salesforce no longer shows', () => {
    it('resyncs when the recycle bin was emptied while the sync was paused, removing what queryAll no longer returns', async () => {
        const s = new Scenario();
        await s.sync('salesforce-leads');
        s.clock.advance(MINUTE);
        s.sim.applyActivity('delete-leads');
        s.sim.applyActivity('empty-recycle-bin');
        s.clock.advance(2 * DAY);
        s.sim.applyActivity('edit-leads');
        const result = await s.sync('salesforce-leads');
        expect(result.status).toBe('success');
        expect(result.logs.some((l) => l.level === 'warn' && l.message.includes('removed from the recycle bin for good'))).toBe(true);
        expect(result.byModel['SalesforceLead']!.deleted).toBe(5);
        expect(summary(s.verdict('salesforce-leads'))).toMatchObject(OK);
        expect(s.checkpoint('salesforce-leads')!.phase).toBe('incremental');
        const quiet = await s.sync('salesforce-leads');
        expect(quiet.records).toBe(0);
        expect(quiet.calls).toBe(3);
    });

    it('resyncs after a pause longer than the 15 days deletions stay in the recycle bin', async () => {
        const s = new Scenario();
        await s.sync('salesforce-leads');
        s.clock.advance(MINUTE);
        s.sim.applyActivity('delete-leads');
        s.clock.advance(16 * DAY);
        const result = await s.sync('salesforce-leads');
        expect(result.status).toBe('success');
        expect(result.byModel['SalesforceLead']!.deleted).toBe(5);
        expect(summary(s.verdict('salesforce-leads'))).toMatchObject(OK);
    });

    it('resyncs when leads deleted in the second the last run stopped at were purged during a long gap', async () => {
        const s = new Scenario();
        await s.sync('salesforce-leads');
        s.clock.advance(5 * MINUTE);
        s.sim.applyActivity('edit-leads');
        await s.sync('salesforce-leads');
        const since = s.checkpoint('salesforce-leads')!.since;
        // Same virtual second as the checkpoint: the deletions share the cursor's stamp.
        s.sim.applyActivity('delete-leads');
        const binned = s.sim.store.binnedIds('Lead').map((id15) => s.sim.store.table('Lead').get(id15)!);
        expect(binned.filter((r) => new Date(r['SystemModstamp'] as number).toISOString() === since)).toHaveLength(5);
        s.sim.setDailyLimit(s.sim.apiUsage().used);
        const limited = await s.sync('salesforce-leads');
        expect(limited.logs.some((l) => l.level === 'error' && l.message.includes('REQUEST_LIMIT_EXCEEDED'))).toBe(true);
        s.sim.setDailyLimit(100_000);
        s.clock.advance(16 * DAY);
        const result = await s.sync('salesforce-leads');
        expect(result.status).toBe('success');
        expect(result.byModel['SalesforceLead']!.deleted).toBe(5);
        expect(summary(s.verdict('salesforce-leads'))).toMatchObject(OK);
        // The resync accounts for the purge: the next run is an ordinary quiet one.
        const quiet = await s.sync('salesforce-leads');
        expect(quiet.records).toBe(0);
        expect(quiet.logs.some((l) => l.message.includes('reading every'))).toBe(false);
    });

    it('does not resync a quiet org: no change for weeks is not a lost deletion', async () => {
        const s = new Scenario();
        await s.sync('salesforce-leads');
        s.clock.advance(20 * DAY);
        const result = await s.sync('salesforce-leads');
        expect(result.status).toBe('success');
        expect(result.records).toBe(0);
        expect(result.logs.some((l) => l.message.includes('reading every'))).toBe(false);
    });

    it('starts an interrupted resync over and still removes exactly what is gone', async () => {
        const s = new Scenario({ leads: 1000 });
        await s.sync('salesforce-leads');
        s.sim.store.pageSizeCap = 200;
        s.clock.advance(MINUTE);
        s.sim.applyActivity('delete-leads');
        s.sim.applyActivity('empty-recycle-bin');
        s.clock.advance(2 * DAY);
        const cut = await s.sync('salesforce-leads', { stopAfterCheckpoints: 2 });
        expect(cut.status).toBe('interrupted');
        expect(s.checkpoint('salesforce-leads')!.phase).toBe('resync');
        expect(s.verdict('salesforce-leads').notDeleted).toHaveLength(5);
        const rest = await s.sync('salesforce-leads');
        expect(rest.status).toBe('success');
        expect(rest.logs.some((l) => l.message.includes('previous resync was interrupted'))).toBe(true);
        expect(summary(s.verdict('salesforce-leads'))).toMatchObject(OK);
    });
});

describe('salesforce-leads: a resync that starts over', () => {
    /** A cache that must resync: leads deleted and purged while the sync was paused. */
    async function needingResync(): Promise<Scenario> {
        const s = new Scenario({ leads: 1000 });
        await s.sync('salesforce-leads');
        s.sim.store.pageSizeCap = 200;
        s.clock.advance(MINUTE);
        s.sim.applyActivity('delete-leads');
        s.sim.applyActivity('empty-recycle-bin');
        s.clock.advance(2 * DAY);
        return s;
    }

    it('removes a lead the cut attempt saved and that was deleted before the next attempt', async () => {
        const s = await needingResync();
        const cut = await s.sync('salesforce-leads', { stopAfterCheckpoints: 3 });
        expect(cut.status).toBe('interrupted');
        expect(s.checkpoint('salesforce-leads')!.phase).toBe('resync');
        // Saved by the cut attempt (first page), deleted before the next one: the new read sees it only as IsDeleted.
        const early = s.ordered('Lead')[0]!.id;
        s.clock.advance(MINUTE);
        s.sim.store.delete('Lead', early);
        const rest = await s.sync('salesforce-leads');
        expect(rest.status).toBe('success');
        expect(summary(s.verdict('salesforce-leads'))).toMatchObject(OK);
    });

    it('removes a lead the failed attempt saved and that was deleted before the next attempt', async () => {
        const s = await needingResync();
        s.sim.core.faults.inject('queryMore', { kind: 'status', status: 500 }, 4);
        const failed = await s.sync('salesforce-leads');
        expect(failed.status).toBe('failed');
        expect(s.live('salesforce-leads').length).toBeGreaterThan(0);
        const early = s.ordered('Lead')[0]!.id;
        s.clock.advance(MINUTE);
        s.sim.store.delete('Lead', early);
        const rest = await s.sync('salesforce-leads');
        expect(rest.status).toBe('success');
        expect(summary(s.verdict('salesforce-leads'))).toMatchObject(OK);
    });
});

describe('salesforce-leads: owners, users and queues', () => {
    it("caches each lead's owner name, a user's full name or a queue's name", async () => {
        const s = new Scenario();
        await s.sync('salesforce-leads');
        const names = new Map(
            [...s.sim.store.table('User').values(), ...s.sim.store.table('Group').values()].map((r) => [r['Id'], r['Name']])
        );
        const cached = s.live('salesforce-leads');
        const queued = cached.filter((r) => String(r['ownerId']).startsWith('00G'));
        expect(queued.length).toBeGreaterThan(0);
        expect(cached.filter((r) => String(r['ownerId']).startsWith('005')).length).toBeGreaterThan(0);
        for (const lead of cached) expect(lead['ownerName'], String(lead['id'])).toBe(names.get(lead['ownerId'] as string));
        expect(cached.some((r) => r['middleName'] !== null && r['website'] === null)).toBe(true);
    });

    it("follows a lead moved from a queue to a user: the owner's name changes with it", async () => {
        const s = new Scenario();
        await s.sync('salesforce-leads');
        const lead = s.live('salesforce-leads').find((r) => String(r['ownerId']).startsWith('00G'))!;
        s.clock.advance(MINUTE);
        const user = s.sim.store.users[2]!;
        s.sim.store.update('Lead', String(lead['id']), { OwnerId: user });
        await s.sync('salesforce-leads');
        expect(s.live('salesforce-leads').find((r) => r['id'] === lead['id'])).toMatchObject({
            ownerId: user,
            ownerName: s.sim.store.table('User').get(user.slice(0, 15))!['Name']
        });
    });
});

describe('salesforce-leads: an org without a field', () => {
    it('syncs an org without middle names or an Owner lookup, querying no path it cannot answer', async () => {
        const s = new Scenario();
        s.sim.removeField('Lead', 'MiddleName');
        s.sim.removeField('Lead', 'OwnerId');
        const result = await s.sync('salesforce-leads');
        expect(result.status).toBe('success');
        expect(s.live('salesforce-leads').every((r) => r['middleName'] === null && r['ownerId'] === null && r['ownerName'] === null)).toBe(
            true
        );
        expect(result.logs.filter((l) => l.level === 'warn' && l.message.includes('has no MiddleName, OwnerId, Owner.Name'))).toHaveLength(
            1
        );
        expect(summary(s.verdict('salesforce-leads'))).toMatchObject(OK);
    });

    it('syncs an org without Title, storing it as null and saying so once', async () => {
        const s = new Scenario();
        s.sim.removeField('Lead', 'Title');
        const result = await s.sync('salesforce-leads');
        expect(result.status).toBe('success');
        expect(s.live('salesforce-leads').every((r) => r['title'] === null)).toBe(true);
        expect(result.logs.filter((l) => l.level === 'warn' && l.message.includes('has no Title'))).toHaveLength(1);
        expect(summary(s.verdict('salesforce-leads'))).toMatchObject(OK);
    });

    it('reads everything again when the org loses a field between runs, so no cached value is stale', async () => {
        const s = new Scenario();
        await s.sync('salesforce-leads');
        expect(s.live('salesforce-leads').some((r) => r['phone'] !== null)).toBe(true);
        s.sim.removeField('Lead', 'Phone');
        const result = await s.sync('salesforce-leads');
        expect(result.status).toBe('success');
        expect(s.live('salesforce-leads').every((r) => r['phone'] === null)).toBe(true);
        expect(summary(s.verdict('salesforce-leads'))).toMatchObject(OK);
    });
});

describe('salesforce-leads: errors', () => {
    it('stops cleanly when the daily request limit is spent, keeps its checkpoint, and the next run finishes', async () => {
        const s = new Scenario({ leads: 1000, dailyLimit: 5 });
        s.sim.store.pageSizeCap = 200;
        const live = s.liveCount('Lead');
        const limited = await s.sync('salesforce-leads');
        expect(limited.status).toBe('success');
        expect(limited.logs.some((l) => l.level === 'error' && l.message.includes('REQUEST_LIMIT_EXCEEDED'))).toBe(true);
        // describe + four pages fit in the allowance.
        expect(s.live('salesforce-leads')).toHaveLength(800);
        s.clock.advance(DAY);
        const next = await s.sync('salesforce-leads');
        expect(next.status).toBe('success');
        expect(next.records).toBe(live - 800);
        expect(summary(s.verdict('salesforce-leads'))).toMatchObject(OK);
    });

    it('recovers from a refused token once (the proxy retries a 401 for the refresh)', async () => {
        const s = new Scenario();
        s.sim.core.faults.inject('query', { kind: 'status', status: 401 });
        const result = await s.sync('salesforce-leads');
        expect(result.status).toBe('success');
        expect(summary(s.verdict('salesforce-leads'))).toMatchObject(OK);
    });

    it('sends a new request once when the 401 outlives the proxy retry, then succeeds', async () => {
        const s = new Scenario();
        s.sim.core.faults.inject('describe', { kind: 'status', status: 401 }, 2);
        const result = await s.sync('salesforce-leads');
        expect(result.status).toBe('success');
        expect(result.logs.some((l) => l.level === 'warn' && l.message.includes('INVALID_SESSION_ID'))).toBe(true);
        expect(summary(s.verdict('salesforce-leads'))).toMatchObject(OK);
    });

    it('fails clearly when the token stays refused, without looping', async () => {
        const s = new Scenario();
        const result = await s.sync('salesforce-leads', { accessToken: 'revoked-token' });
        expect(result.status).toBe('failed');
        expect(result.error?.message).toMatch(/INVALID_SESSION_ID.*re-authorized/);
        // describe: two attempts of two calls each (the proxy retries a 401 once); the query sent beside it: two.
        expect(result.calls).toBeLessThanOrEqual(6);
        expect(s.checkpoint('salesforce-leads')).toBeNull();
    });

    it("fails the run on any other error, naming Salesforce's code, and keeps the last checkpoint", async () => {
        const s = new Scenario({ leads: 1000 });
        s.sim.store.pageSizeCap = 200;
        await s.sync('salesforce-leads', { stopAfterCheckpoints: 1 });
        const before = s.checkpoint('salesforce-leads');
        s.sim.core.faults.inject('queryMore', { kind: 'status', status: 500 }, 4);
        const result = await s.sync('salesforce-leads');
        expect(result.status).toBe('failed');
        expect(result.error?.message).toContain('UNKNOWN_EXCEPTION');
        expect(s.checkpoint('salesforce-leads')!.since >= before!.since).toBe(true);
        const recovered = await s.sync('salesforce-leads');
        expect(recovered.status).toBe('success');
        expect(summary(s.verdict('salesforce-leads'))).toMatchObject(OK);
    });
});

describe('salesforce-leads: metadata and what reaches a query', () => {
    it('bounds a first run by the connection metadata modifiedSince', async () => {
        const s = new Scenario();
        const bound = Date.UTC(2025, 6, 1);
        s.store.setMetadata(CONN, { modifiedSince: '2025-07-01' });
        await s.sync('salesforce-leads');
        const expected = s.ordered('Lead').filter((r) => r.stamp >= bound);
        expect(expected.length).toBeGreaterThan(0);
        expect(expected.length).toBeLessThan(s.liveCount('Lead'));
        expect(
            s
                .live('salesforce-leads')
                .map((r) => r['id'])
                .sort()
        ).toEqual(expected.map((r) => r.id).sort());
    });

    it.each([
        '2020-01-01T00:00:00Z OR Name != null',
        "2020-01-01' OR Id != null OR Name = '",
        '2020-01-01T00:00:00Z) OR (IsDeleted = true',
        '2020-13-45',
        'yesterday'
    ])('refuses metadata modifiedSince %j before any call', async (modifiedSince) => {
        const s = new Scenario();
        s.store.setMetadata(CONN, { modifiedSince });
        const result = await s.sync('salesforce-leads');
        expect(result.status).toBe('failed');
        expect(result.calls).toBe(0);
        expect(result.error?.message).toContain('modifiedSince');
    });

    it.each([
        [{ modifiedSnce: '2025-07-01' }, /unknown key modifiedSnce.*known keys: modifiedSince/],
        [{ modifiedSince: 20250701 }, /modifiedSince.*string/],
        [{ modifiedSince: '0000-01-01' }, /modifiedSince.*1700-01-01/],
        [{ modifiedSince: '2999-01-01' }, /modifiedSince.*future/]
    ])('refuses connection metadata %j before any call, naming the field and the remedy', async (metadata, reason) => {
        const s = new Scenario();
        s.store.setMetadata(CONN, metadata);
        const result = await s.sync('salesforce-leads');
        expect(result.status).toBe('failed');
        expect(result.calls).toBe(0);
        expect(result.error?.message).toMatch(reason);
        expect(result.error?.message).toMatch(/connection metadata.*(remove|correct)/i);
    });

    it('resyncs from a checkpoint whose phase is not one it writes, instead of reading it as incremental', async () => {
        const s = new Scenario({ leads: 1000 });
        await s.sync('salesforce-leads');
        s.sim.store.pageSizeCap = 200;
        s.clock.advance(MINUTE);
        s.sim.applyActivity('delete-leads');
        s.sim.applyActivity('empty-recycle-bin');
        s.clock.advance(2 * DAY);
        expect((await s.sync('salesforce-leads', { stopAfterCheckpoints: 3 })).status).toBe('interrupted');
        s.store.saveCheckpoint(CONN, 'salesforce-leads', { ...s.checkpoint('salesforce-leads')!, phase: 'Resync' });
        const result = await s.sync('salesforce-leads');
        expect(result.status).toBe('success');
        expect(result.logs.some((l) => l.level === 'warn' && l.message.includes('checkpoint is unreadable'))).toBe(true);
        expect(summary(s.verdict('salesforce-leads'))).toMatchObject(OK);
    });

    it('reads everything again from a tampered checkpoint instead of splicing it into SOQL', async () => {
        const s = new Scenario();
        await s.sync('salesforce-leads');
        const fields = s.checkpoint('salesforce-leads')!.fields;
        s.store.saveCheckpoint(CONN, 'salesforce-leads', {
            since: "2020-01-01T00:00:00Z OR LastName != ''",
            savedAtSince: "x:y,'; DROP",
            fields
        });
        s.clock.advance(MINUTE);
        s.sim.applyActivity('delete-leads');
        const result = await s.sync('salesforce-leads');
        expect(result.status).toBe('success');
        expect(result.logs.some((l) => l.level === 'warn' && l.message.includes('checkpoint is unreadable'))).toBe(true);
        expect(summary(s.verdict('salesforce-leads'))).toMatchObject(OK);
    });

    it('stores names with quotes and backslashes exactly as Salesforce holds them', async () => {
        const s = new Scenario();
        const created = s.sim.store.create('Lead', { LastName: "O'Reilly \\' OR Id != null --", Company: 'Bob\'s "Burgers"\n& Co' });
        await s.sync('salesforce-leads');
        const cached = s.live('salesforce-leads').find((r) => r['id'] === created)!;
        expect(cached['lastName']).toBe("O'Reilly \\' OR Id != null --");
        expect(cached['company']).toBe('Bob\'s "Burgers"\n& Co');
    });
});
