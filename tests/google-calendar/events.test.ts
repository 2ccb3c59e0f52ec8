import { http, HttpResponse } from 'msw';
import { describe, expect, it, vi } from 'vitest';
import { CALENDAR_BASE, HOLIDAY_CALENDAR, SEED_USER, type StoredEvent } from '../../simulators/calendar/index.js';
import { googleLegacyError } from '../../simulators/common/google-errors.js';
import { server } from '../support/msw.js';
import { RecordsStore } from '../../runtime/index.js';
import { readState, writeState } from '../../nango-integrations/google-calendar/calendar-state.js';
import { checkpointProblems, expectWithinNangoLimits } from './checkpoint-limits.js';
import { conn, expectCalendarsInSync, expectInSync, live, MODEL, testBed, type Bed } from './support.js';

function teamCalendar(bed: Bed): string {
    return bed.sim.store.listed().find((calendar) => calendar.summary === 'Product Team')!.id;
}

function state(bed: Bed) {
    return readState(bed.store.getCheckpoint(conn, 'events'));
}

/** Every record of a calendar, deleted ones included (those keep only their id and metadata). */
function recordsOf(bed: Bed, calendarId: string) {
    return bed.store.allRecords(conn, MODEL).filter((record) => record.id.startsWith(`${calendarId}/`));
}

describe('events sync: first run', () => {
    it('stores every event of several calendars, ids `<calendarId>/<eventId>` even for ids with # and @', async () => {
        const bed = testBed();
        const team = teamCalendar(bed);
        bed.setMetadata({ calendarIds: ['primary', team, HOLIDAY_CALENDAR] });
        const result = await bed.sync();
        expect(result.status, result.error?.message).toBe('success');
        expectInSync(bed);
        expect(recordsOf(bed, HOLIDAY_CALENDAR).length).toBeGreaterThan(0);
        expect(recordsOf(bed, HOLIDAY_CALENDAR)[0]!.id).toMatch(/^en\.usa#holiday@group\.v\.calendar\.google\.com\//);
        // `primary` is stored under the user's real calendar id, so it never doubles with the explicit id.
        expect(recordsOf(bed, SEED_USER.email).length).toBeGreaterThan(0);
        expect(recordsOf(bed, 'primary')).toEqual([]);
        // One calendars.get for `primary`, then one events.list per calendar (each holds fewer than 2500 events).
        expect(bed.sim.core.meter.get('calendars.get').calls).toBe(1);
        expect(bed.sim.core.meter.get('events.list').calls).toBe(3);
        expect(state(bed)?.calendars.map((c) => [c.configured, c.phase])).toEqual([
            ['primary', 'incremental'],
            [team, 'incremental'],
            [HOLIDAY_CALENDAR, 'incremental']
        ]);
    });

    it('needs ceil(N/2500) listing calls for N events, and a second run without changes saves and deletes nothing', async () => {
        const bed = testBed({ events: 6200, calendars: 1 });
        const first = await bed.sync();
        expect(first.status).toBe('success');
        expectInSync(bed);
        // N is what the listing returns (the truth); cancelled single events are not listed.
        expect(bed.sim.core.meter.get('events.list').calls).toBe(Math.ceil(bed.sim.truthFor(['primary']).length / 2500));
        expect(first.calls).toBe(1 + 3);

        const second = await bed.sync();
        expect(second.status).toBe('success');
        expect(second.byModel[MODEL]).toEqual({ added: 0, updated: 0, deleted: 0 });
        expect(second.calls).toBe(1);
        expectInSync(bed);
    });

    it('checkpoints every first listing as a resync in the run’s first save, before any page is requested', async () => {
        const bed = testBed();
        const team = teamCalendar(bed);
        bed.setMetadata({ calendarIds: ['primary', team, HOLIDAY_CALENDAR] });
        const atFirstListing: (string | undefined)[][] = [];
        const result = await bed.sync({
            onHttpAnswer: (_count, answer) => {
                if (atFirstListing.length === 0 && answer.url.includes('/events'))
                    atFirstListing.push(...(state(bed)?.calendars.map((c) => [c.calendarId, c.phase, c.timeMin ?? undefined]) ?? []));
            }
        });
        expect(result.status, result.error?.message).toBe('success');
        expect(atFirstListing.map(([id, phase]) => [id, phase])).toEqual([
            [SEED_USER.email, 'resync'],
            [team, 'resync'],
            [HOLIDAY_CALENDAR, 'resync']
        ]);
        // Each with the window its listing uses, so a resumed resync covers what the cut listing did.
        expect(atFirstListing.every(([, , timeMin]) => timeMin !== undefined)).toBe(true);
        // One save for all three starts (not one each, queued behind the others), then one per calendar listed.
        expect(result.checkpoints).toBe(1 + 3);
        expectInSync(bed);
    });

    it('skips an event Google sends in a shape the events resource does not allow, saying where, and saves the rest', async () => {
        const bed = testBed();
        const good = { id: 'good1', status: 'confirmed', summary: 'ok', start: { date: '2026-02-01' }, end: { date: '2026-02-02' } };
        const bad = { ...good, id: 'bad1', attendees: [{ email: 42 }] };
        server.use(
            http.get(`${CALENDAR_BASE}/calendars/:calendarId/events`, () =>
                HttpResponse.json({ kind: 'calendar#events', items: [good, bad], nextSyncToken: 'sync-1' })
            )
        );
        const result = await bed.sync();
        expect(result.status, result.error?.message).toBe('success');
        expect(live(bed).map((record) => record['eventId'])).toEqual(['good1']);
        const warning = result.logs.find((log) => log.message.startsWith('Skipped an unreadable event'));
        expect(warning).toMatchObject({ level: 'warn' });
        expect(warning?.message).toContain('attendees.0.email: expected string, received number');
    });

    it('bounds the first listing with timeMin = now - backfillDays and sends no orderBy', async () => {
        const bed = testBed({}, { backfillDays: 30 });
        const result = await bed.sync();
        expect(result.status).toBe('success');
        const cutoff = bed.clock.now() - 30 * 86_400_000;
        const stored = live(bed);
        expect(stored.length).toBeGreaterThan(0);
        expect(stored.length).toBeLessThan(bed.sim.truthFor(['primary']).length);
        for (const record of stored) {
            const end = record['end'] as { dateTime: string | null; date: string | null } | null;
            if (end && record['recurrence'] && (record['recurrence'] as string[]).length === 0) {
                expect(Date.parse(end.dateTime ?? `${end.date}T00:00:00Z`)).toBeGreaterThan(cutoff);
            }
        }
        expect(state(bed)?.calendars[0]?.syncToken).toBeTruthy();
    });

    it('resumes a run cut mid-calendar from its page token and ends equal to an uncut run', async () => {
        // Checkpoints: the initial state (every first listing in it as a resync), then one per page that has a next
        // page; the calendars are listed side by side, so the first cut that leaves a page token to resume from is found.
        let bed: Bed | null = null;
        for (let cutAfter = 3; cutAfter <= 10 && bed === null; cutAfter += 1) {
            const candidate = testBed({ events: 6200, calendars: 2 });
            candidate.setMetadata({ calendarIds: ['primary', teamCalendar(candidate)] });
            const cut = await candidate.sync({ stopAfterCheckpoints: cutAfter });
            expect(cut.status).toBe('interrupted');
            if (state(candidate)!.calendars.some((progress) => progress.pageToken !== null)) bed = candidate;
        }
        expect(bed).not.toBeNull();
        if (bed === null) return;
        const halfway = state(bed)!.calendars.find((progress) => progress.pageToken !== null)!;
        expect(halfway).toMatchObject({ phase: 'full' });
        expect(live(bed).length).toBeGreaterThanOrEqual(2500);

        const resumed = await bed.sync();
        expect(resumed.status).toBe('success');
        expectInSync(bed);
        const pages =
            Math.ceil(bed.sim.truthFor(['primary']).length / 2500) + Math.ceil(bed.sim.truthFor([teamCalendar(bed)]).length / 2500);
        // Pages are read one ahead: a cut loses at most the page in flight of each calendar, read again on resuming.
        const listed = bed.sim.core.meter.get('events.list').calls;
        expect(listed).toBeGreaterThanOrEqual(pages);
        expect(listed).toBeLessThanOrEqual(pages + 2);
    });

    it('deletes an event cancelled after a cut first run saved it but before that page was checkpointed', async () => {
        const bed = testBed();
        const cut = await bed.sync({ stopAfterSaves: 1 });
        expect(cut.status).toBe('interrupted');
        const calendar = bed.sim.calendar('primary');
        const doomed = calendar.events.find((e) => e.status === 'confirmed' && !e.recurrence && !e.recurringEventId)!;
        expect(live(bed).some((record) => record['id'] === `${SEED_USER.email}/${doomed.id}`)).toBe(true);
        bed.sim.store.cancel(calendar, doomed);

        const resumed = await bed.sync();
        expect(resumed.status, resumed.error?.message).toBe('success');
        expect(live(bed).some((record) => record['id'] === `${SEED_USER.email}/${doomed.id}`)).toBe(false);
        expectInSync(bed);
    });

    it('deletes an event of an earlier page cancelled before a refused page token restarts the first listing', async () => {
        const bed = testBed({ events: 6200, calendars: 1 });
        await bed.sync({ stopAfterCheckpoints: 3 });
        const calendar = bed.sim.calendar('primary');
        const cached = new Set(live(bed).map((record) => record['id']));
        const doomed = calendar.events.find(
            (e) => e.status === 'confirmed' && !e.recurrence && !e.recurringEventId && cached.has(`${SEED_USER.email}/${e.id}`)
        )!;
        bed.sim.store.cancel(calendar, doomed);
        const saved = state(bed)!;
        saved.calendars[0]!.pageToken = 'Eexpired';
        bed.store.saveCheckpoint(conn, 'events', writeState(saved));

        const result = await bed.sync();
        expect(result.status, result.error?.message).toBe('success');
        expect(live(bed).some((record) => record['id'] === `${SEED_USER.email}/${doomed.id}`)).toBe(false);
        expectInSync(bed);
    });

    it('starts a listing again when Google no longer accepts the saved page token', async () => {
        const bed = testBed({ events: 6200, calendars: 1 });
        await bed.sync({ stopAfterCheckpoints: 3 });
        const saved = state(bed)!;
        saved.calendars[0]!.pageToken = 'Eexpired';
        bed.store.saveCheckpoint(conn, 'events', writeState(saved));
        const result = await bed.sync();
        expect(result.status, result.error?.message).toBe('success');
        expect(result.logs.some((log) => log.message.includes('refused'))).toBe(true);
        expectInSync(bed);
    });

    it('fails before calling Google when the metadata is invalid, naming the field and how to set it', async () => {
        const cases: [Record<string, unknown>, string][] = [
            [{ calendarIds: [] }, 'calendarIds: name at least one calendar'],
            [{ calendarIds: ['primary', ' '] }, 'calendarIds.1: a calendar id cannot be empty'],
            [{ calendarIds: 'primary' }, 'calendarIds: '],
            [{ allCalendars: 'yes' }, 'allCalendars: '],
            [{ backfillDays: 'a year' }, 'backfillDays: '],
            [{ backfillDays: 0 }, 'backfillDays: '],
            [{ backfillDays: 1.5 }, 'backfillDays: a whole number of days'],
            [{ backfillDays: 5000 }, 'backfillDays: '],
            [{ calendarId: ['primary'] }, "unknown key(s) 'calendarId' (known: calendarIds, allCalendars, backfillDays, pushAddress"],
            [{ allCalendars: true, calendarIds: ['primary'] }, 'allCalendars: true and calendarIds both choose the calendars; keep one']
        ];
        for (const [metadata, problem] of cases) {
            const bed = testBed({}, metadata);
            const result = await bed.sync();
            expect(result.status, JSON.stringify(metadata)).toBe('failed');
            expect(result.error?.message, JSON.stringify(metadata)).toContain(problem);
            expect(result.error?.message, JSON.stringify(metadata)).toContain('setMetadata');
            expect(bed.sim.core.meter.totals().calls, JSON.stringify(metadata)).toBe(0);
        }
    });
});

/** Every checkpoint the sync saves from now on, as Nango's server would receive it. */
function savedCheckpoints(bed: Bed): unknown[] {
    const saved: unknown[] = [];
    const save = bed.store.saveCheckpoint.bind(bed.store);
    vi.spyOn(bed.store, 'saveCheckpoint').mockImplementation((ref, name, checkpoint) => {
        saved.push(checkpoint);
        save(ref, name, checkpoint);
    });
    return saved;
}

describe('events sync: state within Nango checkpoint limits', () => {
    it('the limits helper refuses what Nango refuses', () => {
        expect(checkpointProblems({ state: 'x'.repeat(4000), n: 1, ok: true })).toEqual([]);
        expect(checkpointProblems({ state: 'x'.repeat(4001) })).toHaveLength(1);
        expect(checkpointProblems(Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`f${i}`, i])))).toHaveLength(1);
        expect(checkpointProblems({ ['k'.repeat(256)]: 1 })).toHaveLength(1);
        expect(checkpointProblems({ nested: { a: 1 } })).toHaveLength(1);
        expect(checkpointProblems({ nothing: null })).toHaveLength(1);
    });

    it('keeps the state of 200 calendars (allCalendars) in checkpoints Nango accepts, first run, activity, second run', async () => {
        const bed = testBed({ events: 150 }, { allCalendars: true });
        while (bed.sim.store.listed().length < 200) bed.sim.applyActivity('new-calendar');
        const saved = savedCheckpoints(bed);

        const first = await bed.sync();
        expect(first.status, first.error?.message).toBe('success');
        expectInSync(bed);
        for (const activity of ['edit-events', 'new-events', 'cancel-events', 'cancel-instance', 'new-calendar'])
            bed.sim.applyActivity(activity);
        const second = await bed.sync();
        expect(second.status, second.error?.message).toBe('success');
        expectInSync(bed);

        expect(saved.length).toBeGreaterThan(1);
        for (const checkpoint of saved) expectWithinNangoLimits(checkpoint);
        expect(state(bed)?.calendars).toHaveLength(201);
        expect(state(bed)?.calendars.every((c) => c.phase === 'incremental' && c.syncToken)).toBe(true);
    });

    it('fails before listing any events, naming the remedy, when more calendars are listed than a checkpoint can hold', async () => {
        const bed = testBed({ events: 20 }, { allCalendars: true });
        while (bed.sim.store.listed().length < 480) bed.sim.applyActivity('new-calendar');
        const result = await bed.sync();
        expect(result.status).toBe('failed');
        expect(result.error?.message).toMatch(/480 calendars.*calendarIds instead of allCalendars/);
        expect(bed.sim.core.meter.get('events.list').calls).toBe(0);
        expect(bed.store.getCheckpoint(conn, 'events')).toBeNull();
    });
});

describe('events sync: later runs', () => {
    it('applies edits, moves, new events and cancellations with one call per calendar', async () => {
        const bed = testBed();
        bed.setMetadata({ calendarIds: ['primary', teamCalendar(bed)] });
        await bed.sync();
        for (const activity of ['edit-events', 'move-events', 'new-events', 'cancel-events', 'cancel-events'])
            bed.sim.applyActivity(activity);
        bed.sim.core.meter.reset();
        const result = await bed.sync();
        expect(result.status).toBe('success');
        expect(result.byModel[MODEL]!.deleted).toBeGreaterThan(0);
        expect(result.byModel[MODEL]!.updated + result.byModel[MODEL]!.added).toBeGreaterThan(0);
        expect(bed.sim.core.meter.get('events.list').calls).toBe(2);
        expect(bed.sim.core.meter.get('calendars.get').calls).toBe(0);
        expectInSync(bed);
    });

    it('sends only the sync token on incremental listings (no timeMin, orderBy or other forbidden filter)', async () => {
        const bed = testBed();
        await bed.sync();
        bed.sim.applyActivity('edit-events');
        // The simulator answers 400 to any forbidden parameter next to a syncToken: a clean run proves none was sent.
        const result = await bed.sync();
        expect(result.status, result.error?.message).toBe('success');
        expectInSync(bed);
    });

    // Found by the chaos campaign (npm run chaos -- --only events --episodes 150 --seed 1: 16 divergent episodes).
    it('caches a cancelled instance from an incremental run exactly as a fresh full listing does', async () => {
        const bed = testBed();
        await bed.sync();
        const cancelled = bed.sim.applyActivity('cancel-instance');
        expect((await bed.sync()).status).toBe('success');
        const instanceId = cancelled.split(' ')[2]!;
        const incremental = live(bed).find((r) => r['eventId'] === instanceId)!;

        const fresh = new RecordsStore(':memory:');
        fresh.setMetadata(conn, bed.store.getMetadata(conn) ?? {});
        expect((await bed.sync({ store: fresh })).status).toBe('success');
        const listed = fresh.liveRecords(conn, 'GoogleCalendarEvent').find((r) => r['eventId'] === instanceId)!;
        expect(incremental).toEqual(listed);
    });

    it('keeps an edited exception and a cancelled instance of a series, and drops a cancelled series with its exceptions', async () => {
        const bed = testBed();
        await bed.sync();
        expect(bed.sim.applyActivity('edit-recurring-exception')).toMatch(/^changed instance/);
        const cancelled = bed.sim.applyActivity('cancel-instance');
        expect(cancelled).toMatch(/^cancelled instance/);
        const result = await bed.sync();
        expect(result.status).toBe('success');
        expectInSync(bed);

        const instanceId = cancelled.split(' ')[2]!;
        const record = live(bed).find((r) => r['eventId'] === instanceId)!;
        expect(record).toMatchObject({ status: 'cancelled', recurringEventId: instanceId.split('_')[0] });
        expect(record['originalStartTime']).not.toBeNull();

        const calendar = bed.sim.calendar('primary');
        const master = bed.sim.store.stored(calendar, instanceId.split('_')[0]!)!;
        bed.sim.store.cancel(calendar, master);
        await bed.sync();
        expectInSync(bed);
        expect(live(bed).filter((r) => r['eventId'] === master.id || r['recurringEventId'] === master.id)).toEqual([]);
    });

    it('resyncs only the calendar whose token got 410: what vanished meanwhile leaves the cache, other calendars are untouched', async () => {
        const bed = testBed();
        const team = teamCalendar(bed);
        bed.setMetadata({ calendarIds: ['primary', team] });
        await bed.sync();
        const teamBefore = new Map(recordsOf(bed, team).map((r) => [r.id, r._nango_metadata.last_modified_at]));

        // Events vanish from the primary calendar while its token is invalidated: no incremental listing will tell.
        const calendar = bed.sim.calendar('primary');
        const doomed = calendar.events.filter((e) => e.status === 'confirmed' && !e.recurrence && !e.recurringEventId).slice(0, 3);
        for (const event of doomed) bed.sim.store.cancel(calendar, event);
        bed.sim.invalidateSyncTokens('primary');
        bed.clock.advance(60_000);

        const result = await bed.sync();
        expect(result.status, result.error?.message).toBe('success');
        expect(result.logs.some((log) => log.message.includes('(410)'))).toBe(true);
        expectInSync(bed);
        for (const event of doomed)
            expect(
                bed.store.getRecordsByIds(conn, MODEL, [`${SEED_USER.email}/${event.id}`]).get(`${SEED_USER.email}/${event.id}`)
                    ?._nango_metadata.deleted_at
            ).not.toBeNull();
        const teamAfter = new Map(recordsOf(bed, team).map((r) => [r.id, r._nango_metadata.last_modified_at]));
        expect(teamAfter).toEqual(teamBefore);
        expect(state(bed)?.calendars.every((c) => c.phase === 'incremental')).toBe(true);

        // And the next run is incremental again for both.
        bed.sim.core.meter.reset();
        await bed.sync();
        expect(bed.sim.core.meter.get('events.list').calls).toBe(2);
    });

    it('resyncs after 410 from the window of the first listing, so events the cache held stay, however late the resync', async () => {
        const bed = testBed({}, { backfillDays: 30 });
        await bed.sync();
        const firstWindow = new Date(bed.clock.now() - 30 * 86_400_000).toISOString();
        expect(state(bed)!.calendars[0]!.timeMin).toBe(firstWindow);
        const before = live(bed)
            .map((record) => record['id'])
            .sort();

        bed.clock.advance(20 * 86_400_000);
        // Events that ended between the first window's start and now - 30 days: a window moved to now - 30 days loses them.
        const laterWindow = bed.clock.now() - 30 * 86_400_000;
        const atRisk = live(bed).filter((record) => {
            const end = record['end'] as { dateTime: string | null; date: string | null } | null;
            const recurring = (record['recurrence'] as string[]).length > 0 || record['recurringEventId'] !== null;
            return !recurring && end !== null && Date.parse(end.dateTime ?? `${end.date}T00:00:00Z`) < laterWindow;
        });
        expect(atRisk.length).toBeGreaterThan(0);
        bed.sim.invalidateSyncTokens('primary');

        const result = await bed.sync();
        expect(result.status, result.error?.message).toBe('success');
        expect(result.logs.some((log) => log.message.includes('(410)'))).toBe(true);
        expect(
            live(bed)
                .map((record) => record['id'])
                .sort()
        ).toEqual(before);
        expect(state(bed)!.calendars[0]).toMatchObject({ phase: 'incremental', timeMin: firstWindow });
    });

    it('finishes a 410 resync that was cut by listing that calendar again', async () => {
        const bed = testBed({ events: 6200, calendars: 2 });
        bed.setMetadata({ calendarIds: ['primary', teamCalendar(bed)] });
        await bed.sync();
        const calendar = bed.sim.calendar('primary');
        const doomed = calendar.events.find((e) => e.status === 'confirmed' && !e.recurrence && !e.recurringEventId)!;
        bed.sim.store.cancel(calendar, doomed);
        bed.sim.invalidateSyncTokens('primary');
        const cut = await bed.sync({ stopAfterCheckpoints: 2 });
        expect(cut.status).toBe('interrupted');
        expect(state(bed)?.calendars[0]?.phase).toBe('resync');
        const done = await bed.sync();
        expect(done.status).toBe('success');
        expectInSync(bed);
    });

    it('deletes the events of a calendar removed from the metadata and leaves the others', async () => {
        const bed = testBed();
        const team = teamCalendar(bed);
        bed.setMetadata({ calendarIds: ['primary', team] });
        await bed.sync();
        expect(recordsOf(bed, team).length).toBeGreaterThan(0);
        bed.setMetadata({ calendarIds: ['primary'] });
        const result = await bed.sync();
        expect(result.status).toBe('success');
        expect(recordsOf(bed, team).every((r) => r._nango_metadata.deleted_at !== null)).toBe(true);
        expect(result.byModel[MODEL]!.deleted).toBe(recordsOf(bed, team).length);
        expectInSync(bed, ['primary']);
        expect(state(bed)?.calendars.map((c) => c.calendarId)).toEqual([SEED_USER.email]);
    });

    it('with allCalendars follows the calendar list: a new calendar is synced, a calendar the user left is dropped', async () => {
        const bed = testBed({}, { allCalendars: true });
        await bed.sync();
        expectInSync(bed);
        expect(bed.sim.applyActivity('new-calendar')).toMatch(/^subscribed/);
        await bed.sync();
        expectInSync(bed);
        const left = bed.sim.applyActivity('leave-calendar');
        const leftId = left.replace('left ', '');
        await bed.sync();
        expectInSync(bed);
        expect(recordsOf(bed, leftId).every((r) => r._nango_metadata.deleted_at !== null)).toBe(true);
    });

    it('drops a calendar that no longer exists (404) and syncs the others', async () => {
        const bed = testBed({}, { calendarIds: ['primary', 'ghost@group.calendar.google.com'] });
        const result = await bed.sync();
        expect(result.status, result.error?.message).toBe('success');
        expect(result.logs.some((log) => log.message.includes('ghost@group.calendar.google.com'))).toBe(true);
        expectInSync(bed, ['primary']);
    });

    it('drops a calendar the user may no longer read (403 forbidden, after Nango retried it) and keeps the others', async () => {
        const bed = testBed();
        const team = teamCalendar(bed);
        bed.setMetadata({ calendarIds: ['primary', team] });
        await bed.sync();
        bed.sim.applyActivity('edit-events');
        // Access to the team calendar is withdrawn: Calendar refuses every listing of it.
        server.use(
            http.get(`${CALENDAR_BASE}/calendars/:calendarId/events`, ({ params }) =>
                params['calendarId'] === team ? googleLegacyError(403, 'forbidden', 'Forbidden') : undefined
            )
        );
        const result = await bed.sync();
        expect(result.status, result.error?.message).toBe('success');
        expect(result.logs.some((log) => log.message.includes(`Calendar ${team} cannot be read`))).toBe(true);
        expect(recordsOf(bed, team).every((r) => r._nango_metadata.deleted_at !== null)).toBe(true);
        expectInSync(bed, ['primary']);
    });

    it('syncs the other calendars when one fails, fails the run naming it, and resumes it from its state next run', async () => {
        const bed = testBed();
        const team = teamCalendar(bed);
        bed.setMetadata({ calendarIds: [team, 'primary', HOLIDAY_CALENDAR] });
        await bed.sync();
        const tokenBefore = state(bed)!.calendars.find((c) => c.calendarId === team)!.syncToken;
        bed.sim.applyActivity('edit-events');
        bed.sim.applyActivity('new-events');
        let broken = true;
        server.use(
            http.get(`${CALENDAR_BASE}/calendars/:calendarId/events`, ({ params }) =>
                broken && params['calendarId'] === team ? googleLegacyError(400, 'invalid', 'Invalid Value') : undefined
            )
        );
        const failed = await bed.sync();
        expect(failed.status).toBe('failed');
        expect(failed.error?.message).toContain(`1 of 3 calendar(s) failed`);
        expect(failed.error?.message).toContain(`${team}: HTTP 400 (invalid): Invalid Value`);
        expectCalendarsInSync(bed, ['primary', HOLIDAY_CALENDAR]);
        expect(state(bed)!.calendars.find((c) => c.calendarId === team)).toMatchObject({ phase: 'incremental', syncToken: tokenBefore });

        broken = false;
        const healed = await bed.sync();
        expect(healed.status, healed.error?.message).toBe('success');
        expectInSync(bed);
    });

    it('fails only that calendar when its listing hands back a page token it already gave, and syncs the others', async () => {
        const bed = testBed();
        const team = teamCalendar(bed);
        bed.setMetadata({ calendarIds: [team, 'primary'] });
        server.use(
            http.get(`${CALENDAR_BASE}/calendars/:calendarId/events`, ({ params }) =>
                params['calendarId'] === team
                    ? HttpResponse.json({ kind: 'calendar#events', items: [], nextPageToken: 'same-page' })
                    : undefined
            )
        );
        const failed = await bed.sync();
        expect(failed.status).toBe('failed');
        expect(failed.error?.message).toContain('1 of 2 calendar(s) failed');
        expect(failed.error?.message).toContain(`events.list on ${team}: the provider returned page token same-page twice`);
        expectCalendarsInSync(bed, ['primary']);
        expect(state(bed)!.calendars.find((c) => c.calendarId === SEED_USER.email)).toMatchObject({ phase: 'incremental' });
    });

    it('resumes a first listing that failed mid-calendar from its saved page, after syncing the calendars behind it', async () => {
        const bed = testBed({ events: 6200, calendars: 2 });
        const team = teamCalendar(bed);
        bed.setMetadata({ calendarIds: ['primary', team] });
        let broken = true;
        server.use(
            http.get(`${CALENDAR_BASE}/calendars/:calendarId/events`, ({ request, params }) =>
                broken && params['calendarId'] === SEED_USER.email && new URL(request.url).searchParams.has('pageToken')
                    ? googleLegacyError(400, 'badRequest', 'Bad Request')
                    : undefined
            )
        );
        const failed = await bed.sync();
        expect(failed.status).toBe('failed');
        expect(failed.error?.message).toContain(SEED_USER.email);
        expectCalendarsInSync(bed, [team]);
        const halfway = state(bed)!.calendars.find((c) => c.calendarId === SEED_USER.email)!;
        expect(halfway).toMatchObject({ phase: 'full' });
        expect(halfway.pageToken).toBeTruthy();

        broken = false;
        bed.sim.core.meter.reset();
        const resumed = await bed.sync();
        expect(resumed.status, resumed.error?.message).toBe('success');
        expectInSync(bed);
        // Primary from its saved page on (its first page is not read again), the team calendar by its sync token.
        const fresh = testBed({ events: 6200, calendars: 2 }, { calendarIds: ['primary'] });
        await fresh.sync();
        expect(bed.sim.core.meter.get('events.list').calls).toBe(fresh.sim.core.meter.get('events.list').calls - 1 + 1);
    });

    it('recovers from a lost checkpoint: resyncs every calendar and deletes what vanished meanwhile', async () => {
        const bed = testBed();
        await bed.sync();
        bed.sim.applyActivity('cancel-events');
        bed.sim.applyActivity('edit-events');
        bed.store.clearCheckpoint(conn, 'events');
        const result = await bed.sync();
        expect(result.status).toBe('success');
        expect(result.logs.some((log) => log.message.includes('No readable checkpoint'))).toBe(true);
        expectInSync(bed);
    });
});

describe('events sync: recurring events whatever the page order', () => {
    /** A live series of the primary calendar with two exceptions: one edited, one cancelled. */
    function seriesWithExceptions(bed: Bed, chosen?: StoredEvent) {
        const calendar = bed.sim.calendar('primary');
        const freeStarts = (series: StoredEvent) =>
            bed.sim.store
                .instanceStarts(calendar, series, bed.clock.now(), bed.clock.now() + 400 * 86_400_000)
                .filter((start) => !bed.sim.store.stored(calendar, bed.sim.store.instance(series, start).id));
        const master =
            chosen ??
            calendar.events.find((e) => e.recurrence && !e.recurringEventId && e.status === 'confirmed' && freeStarts(e).length >= 2)!;
        const starts = freeStarts(master);
        const edited = bed.sim.store.materialize(calendar, bed.sim.store.instance(master, starts[0]!));
        edited.summary = 'Moved this once';
        bed.sim.store.touch(calendar, edited);
        const cancelled = bed.sim.store.materialize(calendar, bed.sim.store.instance(master, starts[1]!));
        bed.sim.store.cancel(calendar, cancelled);
        return { calendar, master, edited, cancelled };
    }

    function cached(bed: Bed, eventId: string) {
        return live(bed).find((record) => record['eventId'] === eventId);
    }

    it('a first listing caches no exception of a series cancelled before it, on whatever page the exception comes', async () => {
        for (const pageLimit of [1, 2, 3, 2500]) {
            const bed = testBed({ pageLimit, events: 60 });
            const { calendar, master, edited, cancelled } = seriesWithExceptions(bed);
            bed.sim.store.cancel(calendar, master);
            const result = await bed.sync();
            expect(result.status, result.error?.message).toBe('success');
            expect(cached(bed, cancelled.id), `pageLimit ${pageLimit}`).toBeUndefined();
            expect(cached(bed, edited.id), `pageLimit ${pageLimit}`).toBeUndefined();
            expectInSync(bed);
        }
    });

    it('a resync after 410 drops the exceptions of a series cancelled meanwhile', async () => {
        const bed = testBed({ pageLimit: 3, events: 60 });
        const { calendar, master, cancelled } = seriesWithExceptions(bed);
        await bed.sync();
        expect(cached(bed, cancelled.id)).toMatchObject({ status: 'cancelled' });
        bed.sim.store.cancel(calendar, master);
        bed.sim.invalidateSyncTokens('primary');
        const result = await bed.sync();
        expect(result.status, result.error?.message).toBe('success');
        expect(cached(bed, cancelled.id)).toBeUndefined();
        expectInSync(bed);
    });

    it("a list of changes drops a series' exceptions whether they come before or after the series' cancellation", async () => {
        for (const pageLimit of [1, 2, 3, 2500]) {
            const bed = testBed({ pageLimit, events: 60 });
            const { calendar, master, edited, cancelled } = seriesWithExceptions(bed);
            await bed.sync();
            // The edited exception changes after the cancelled one, so the listing holds: cancelled instance, series,
            // edited exception (cancelled with the series, after it).
            bed.sim.store.cancel(calendar, master);
            const result = await bed.sync();
            expect(result.status, result.error?.message).toBe('success');
            expect(cached(bed, cancelled.id), `pageLimit ${pageLimit}`).toBeUndefined();
            expect(cached(bed, edited.id), `pageLimit ${pageLimit}`).toBeUndefined();
            expectInSync(bed);
        }
    });

    it('a list of changes keeps a cancelled instance listed, on an earlier page, before its new series', async () => {
        const bed = testBed({ pageLimit: 1, events: 60 });
        await bed.sync();
        const calendar = bed.sim.calendar('primary');
        const start = Math.floor(bed.clock.now() / 3_600_000) * 3_600_000 + 86_400_000;
        const series = bed.sim.store.create(calendar, {
            id: bed.sim.store.newEventId(calendar),
            status: 'confirmed',
            summary: 'New weekly',
            start: { ms: start, allDay: false, timeZone: 'Europe/Paris' },
            end: { ms: start + 1_800_000, allDay: false, timeZone: 'Europe/Paris' },
            recurrence: ['RRULE:FREQ=WEEKLY'],
            organizer: bed.sim.store.organizerFor(calendar),
            creator: bed.sim.store.user.email
        });
        const { master, cancelled } = seriesWithExceptions(bed, series);
        // The series changes after its cancelled instance: the instance comes first, on a page of its own.
        master.summary = 'Renamed series';
        bed.sim.store.touch(calendar, master);
        const result = await bed.sync();
        expect(result.status, result.error?.message).toBe('success');
        expect(cached(bed, cancelled.id)).toMatchObject({ status: 'cancelled', recurringEventId: master.id });
        expectInSync(bed);
    });
});

describe('events sync: rate limits', () => {
    it('retries 403 rateLimitExceeded and 429 with backoff and completes', async () => {
        const bed = testBed();
        bed.sim.core.faults.inject('events.list', { kind: 'status', status: 403, reason: 'rateLimitExceeded' }, 2);
        bed.sim.core.faults.inject('events.list', { kind: 'status', status: 429 }, 2);
        const result = await bed.sync();
        expect(result.status, result.error?.message).toBe('success');
        expect(bed.sim.core.meter.get('events.list').calls).toBe(5);
        // Nango's backoff: 3 s, 6 s, 12 s, 24 s on the virtual clock.
        expect(result.elapsedMs).toBeGreaterThanOrEqual(45_000);
        expectInSync(bed);
    });

    it('waits out the per-user limit when a run needs more requests than the window allows', async () => {
        const bed = testBed({ events: 6200, calendars: 1 });
        bed.sim.core.limit.capacity = 2;
        const result = await bed.sync();
        expect(result.status, result.error?.message).toBe('success');
        expect(bed.sim.core.meter.get('events.list').limited).toBeGreaterThan(0);
        expectInSync(bed);
    });

    it('fails the run (to resume from its checkpoint) when the limit outlasts the retries', async () => {
        const bed = testBed();
        bed.sim.core.faults.inject('events.list', { kind: 'status', status: 429 }, 20);
        const result = await bed.sync();
        expect(result.status).toBe('failed');
        expect(result.error?.status).toBe(429);
        bed.sim.core.faults.clear();
        expect((await bed.sync()).status).toBe('success');
        expectInSync(bed);
    });
});

describe('events sync: shapes of live calendars', () => {
    /** What the cache must say of a stored event, read from the simulator's own record (not through the mapper). */
    function expectedFields(event: StoredEvent) {
        return {
            eventType: event.eventType ?? 'default',
            transparency: event.transparency ?? 'opaque',
            visibility: event.visibility ?? 'default',
            sequence: event.sequence,
            iCalUID: `${event.recurringEventId ?? event.id}@google.com`,
            creator: expect.objectContaining({ email: event.creator }),
            outOfOffice: event.outOfOffice ? { declineMessage: null, ...event.outOfOffice } : null,
            attachments: (event.attachments ?? []).map((a) => expect.objectContaining({ fileUrl: a.fileUrl, title: a.title })),
            extendedProperties: event.extendedProperties
                ? { private: event.extendedProperties.private ?? {}, shared: event.extendedProperties.shared ?? {} }
                : null,
            ...(event.addOnConference ? { conferenceLink: event.addOnConference.uri } : {})
        };
    }

    it('stores out-of-office blocks, add-on conferencing, attachments, app data, comments, free/busy and visibility', async () => {
        const bed = testBed({ events: 300 });
        const team = teamCalendar(bed);
        bed.setMetadata({ calendarIds: ['primary', team] });
        await bed.sync();
        for (const activity of ['annotate-events', 'annotate-events', 'out-of-office', 'annotate-events']) bed.sim.applyActivity(activity);
        const result = await bed.sync();
        expect(result.status, result.error?.message).toBe('success');
        expectInSync(bed);

        const records = new Map(live(bed).map((record) => [String(record['id']), record]));
        const kinds = new Set<string>();
        for (const calendarId of [bed.sim.primaryId, team]) {
            for (const event of bed.sim.calendar(calendarId).events) {
                const record = records.get(`${calendarId}/${event.id}`);
                if (!record || event.status === 'cancelled') continue;
                expect(record, event.id).toMatchObject(expectedFields(event));
                for (const attendee of event.attendees ?? []) {
                    const cached = (record['attendees'] as { email: string; comment: string | null }[]).find(
                        (a) => a.email === attendee.email
                    );
                    expect(cached?.comment ?? null).toBe(attendee.comment ?? null);
                    if (attendee.comment) kinds.add('comment');
                }
                if (event.eventType) kinds.add(event.eventType);
                if (event.addOnConference) kinds.add('addOn');
                if (event.attachments) kinds.add('attachments');
                if (event.extendedProperties) kinds.add('extendedProperties');
                if (event.transparency === 'transparent') kinds.add('transparent');
                if (event.start.timeZone && event.start.timeZone !== bed.sim.calendar(calendarId).timeZone) {
                    // The offset is the calendar's, the zone the event's: the cache keeps both, and the instant.
                    const start = record['start'] as { dateTime: string; timeZone: string };
                    expect(start.timeZone).toBe(event.start.timeZone);
                    expect(Date.parse(start.dateTime)).toBe(event.start.ms);
                    kinds.add('foreign zone');
                }
            }
        }
        expect([...kinds].sort()).toEqual(
            ['addOn', 'attachments', 'comment', 'extendedProperties', 'focusTime', 'foreign zone', 'outOfOffice', 'transparent'].sort()
        );
    });

    it('keeps cancelled instances sent with their whole body as cancelled, and drops cancelled series and single events', async () => {
        const bed = testBed({ events: 300 });
        await bed.sync();
        expectInSync(bed);
        const calendar = bed.sim.calendar('primary');
        const instance = calendar.events.find((e) => e.status === 'cancelled' && e.recurringEventId && e.summary)!;
        expect(live(bed).find((r) => r['eventId'] === instance.id)).toMatchObject({ status: 'cancelled', summary: instance.summary });

        const series = bed.sim.applyActivity('cancel-series');
        expect(series).toMatch(/^cancelled series/);
        bed.sim.applyActivity('cancel-events');
        const result = await bed.sync();
        expect(result.status, result.error?.message).toBe('success');
        expect(result.byModel[MODEL]!.deleted).toBeGreaterThan(1);
        expectInSync(bed);
        const masterId = series.split(' ')[2]!;
        expect(live(bed).filter((r) => r['eventId'] === masterId || r['recurringEventId'] === masterId)).toEqual([]);
    });

    it('lists through pages that hold no event but a nextPageToken', async () => {
        const bed = testBed({ scanLimit: 1 });
        const result = await bed.sync();
        expect(result.status, result.error?.message).toBe('success');
        expectInSync(bed);
        const stored = bed.sim.calendar('primary').events.length;
        expect(bed.sim.core.meter.get('events.list').calls).toBe(stored);
        expect(bed.sim.truthFor(['primary']).length).toBeLessThan(stored);
    });

    it('stores an event served on two pages of one listing once, as its later copy', async () => {
        const bed = testBed({ pageLimit: 20 });
        const calendar = bed.sim.calendar('primary');
        let changed: StoredEvent | null = null;
        server.use(
            http.get(`${CALENDAR_BASE}/calendars/:calendarId/events`, ({ request }) => {
                // Between the first and second page, someone renames an event of the first page at Google.
                if (changed || !new URL(request.url).searchParams.has('pageToken')) return;
                changed = calendar.events.find((e) => e.status === 'confirmed' && e.index < 10 && !e.recurringEventId)!;
                changed.summary = 'Renamed during the listing';
                bed.sim.store.touch(calendar, changed);
            })
        );
        const result = await bed.sync();
        expect(result.status, result.error?.message).toBe('success');
        expect(changed).not.toBeNull();
        // In sync right away: the copy from the second page, with the new etag, is the one kept.
        expectInSync(bed);
        const records = live(bed).filter((r) => r['eventId'] === changed!.id);
        expect(records).toEqual([expect.objectContaining({ summary: 'Renamed during the listing', etag: `"${changed!.etag}"` })]);
    });
});
