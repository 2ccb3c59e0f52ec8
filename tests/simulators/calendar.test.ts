import type { calendar_v3 } from '@googleapis/calendar';
import { beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../runtime/clock.js';
import { CALENDAR_BASE, CalendarSimulator, HOLIDAY_CALENDAR, SEED_USER } from '../../simulators/calendar/index.js';
import { server } from '../support/msw.js';

const TOKEN = 'test-access-token';
type Json = Record<string, unknown>;

let clock: VirtualClock;
let sim: CalendarSimulator;

function setup(options: Partial<ConstructorParameters<typeof CalendarSimulator>[0]> = {}): void {
    clock = new VirtualClock();
    sim = new CalendarSimulator({ clock, seed: 7, events: 120, ...options });
    server.use(...sim.handlers);
}

async function call(method: string, path: string, options: { body?: unknown; headers?: Record<string, string>; token?: string } = {}) {
    const response = await fetch(`${CALENDAR_BASE}${path}`, {
        method,
        headers: {
            authorization: `Bearer ${options.token ?? TOKEN}`,
            ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
            ...options.headers
        },
        ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {})
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : null) as Json };
}

const get = (path: string) => call('GET', path);
const enc = encodeURIComponent;

function events(path: string, params: Record<string, string | number | boolean> = {}): Promise<{ status: number; body: Json }> {
    const query = new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]));
    return get(`/calendars/${path}/events${query.size > 0 ? `?${query}` : ''}`);
}

/** Follows nextPageToken to the end; returns every item and the pages' tokens. */
async function listAll(calendarId: string, params: Record<string, string | number | boolean> = {}) {
    const items: calendar_v3.Schema$Event[] = [];
    const pages: calendar_v3.Schema$Events[] = [];
    let pageToken: string | undefined;
    do {
        const res = await events(enc(calendarId), { ...params, ...(pageToken ? { pageToken } : {}) });
        expect(res.status, JSON.stringify(res.body)).toBe(200);
        const page = res.body as calendar_v3.Schema$Events;
        pages.push(page);
        items.push(...(page.items ?? []));
        pageToken = page.nextPageToken ?? undefined;
    } while (pageToken);
    return { items, pages, syncToken: pages[pages.length - 1]!.nextSyncToken };
}

function errorOf(body: Json): { code: number; message: string; errors: { reason: string; domain: string }[] } {
    return body['error'] as never;
}

function anyWritableEvent(): calendar_v3.Schema$Event & { id: string } {
    const event = sim
        .calendar('primary')
        .events.find((e) => e.status === 'confirmed' && !e.recurrence && !e.recurringEventId && !e.start.allDay)!;
    return { id: event.id, etag: `"${event.etag}"` };
}

describe('calendar simulator: calendars', () => {
    beforeEach(() => setup());

    it('lists the calendar list in pages, holiday and birthday calendars with # and @ in their ids', async () => {
        const first = await get('/users/me/calendarList?maxResults=2');
        expect(first.status).toBe(200);
        const second = await get(`/users/me/calendarList?maxResults=2&pageToken=${enc(String(first.body['nextPageToken']))}`);
        const ids = [...(first.body['items'] as Json[]), ...(second.body['items'] as Json[])].map((item) => item['id']);
        expect(ids).toContain(SEED_USER.email);
        expect(ids).toContain(HOLIDAY_CALENDAR);
        expect(second.body['nextPageToken']).toBeUndefined();
        const primary = (first.body['items'] as Json[]).find((item) => item['primary'] === true);
        expect(primary?.['accessRole']).toBe('owner');
    });

    it('resolves `primary` to the user calendar and answers an unknown calendar with 404 notFound', async () => {
        const res = await get('/calendars/primary');
        expect(res.body['id']).toBe(SEED_USER.email);
        const missing = await events('nobody%40example.com');
        expect(missing.status).toBe(404);
        expect(errorOf(missing.body).errors[0]?.reason).toBe('notFound');
    });

    it('serves a calendar id with # and @ when the path segment is percent-encoded', async () => {
        const res = await events(enc(HOLIDAY_CALENDAR));
        expect(res.status).toBe(200);
        expect((res.body['items'] as Json[]).length).toBeGreaterThan(0);
        expect(res.body['accessRole']).toBe('reader');
    });
});

describe('calendar simulator: events.list paging and parameters', () => {
    beforeEach(() => setup());

    it('pages with maxResults, puts nextSyncToken on the last page only, and returns each event once', async () => {
        const { items, pages, syncToken } = await listAll(SEED_USER.email, { maxResults: 10 });
        expect(pages.length).toBeGreaterThan(3);
        for (const page of pages.slice(0, -1)) {
            expect(page.nextSyncToken).toBeUndefined();
            expect(page.items!.length).toBeLessThanOrEqual(10);
        }
        expect(syncToken).toBeTruthy();
        const ids = items.map((item) => item.id);
        expect(new Set(ids).size).toBe(ids.length);
        const expected = sim.calendar('primary').events.filter((e) => e.status !== 'cancelled' || e.recurringEventId);
        expect(ids.length).toBe(expected.length);
    });

    it('uses 250 as the default page size and never more than 2500 a page', async () => {
        setup({ events: 3200, calendars: 1 });
        const first = await events('primary');
        expect((first.body['items'] as Json[]).length).toBe(250);
        const big = await events('primary', { maxResults: 5000 });
        expect(big.status).toBe(200);
        expect((big.body['items'] as Json[]).length).toBeLessThanOrEqual(2500);
        expect(big.body['nextPageToken']).toBeTruthy();
        const zero = await events('primary', { maxResults: 0 });
        expect(zero.status).toBe(400);
    });

    it('refuses a page token replayed on a different query', async () => {
        const first = await events('primary', { maxResults: 5 });
        const token = String(first.body['nextPageToken']);
        const replay = await events('primary', { maxResults: 5, pageToken: token, showDeleted: true });
        expect(replay.status).toBe(400);
        const fine = await events('primary', { maxResults: 7, pageToken: token });
        expect(fine.status).toBe(200);
    });

    it('requires an offset on timeMin/timeMax and a non-empty range', async () => {
        expect((await events('primary', { timeMin: '2026-01-01T00:00:00' })).status).toBe(400);
        expect((await events('primary', { timeMin: '2026-01-01' })).status).toBe(400);
        expect((await events('primary', { timeMin: '2026-01-01T00:00:00Z' })).status).toBe(200);
        const empty = await events('primary', { timeMin: '2026-01-02T00:00:00Z', timeMax: '2026-01-01T00:00:00+01:00' });
        expect(empty.status).toBe(400);
        expect(errorOf(empty.body).errors[0]).toMatchObject({ reason: 'timeRangeEmpty', domain: 'calendar' });
    });

    it('filters by timeMin (end after it) and timeMax (start before it)', async () => {
        const timeMin = new Date(clock.now()).toISOString();
        const timeMax = new Date(clock.now() + 30 * 86_400_000).toISOString();
        const { items } = await listAll('primary', { timeMin, timeMax, singleEvents: true });
        expect(items.length).toBeGreaterThan(0);
        for (const item of items) {
            const start = Date.parse(item.start!.dateTime ?? `${item.start!.date}T00:00:00Z`);
            const end = Date.parse(item.end!.dateTime ?? `${item.end!.date}T00:00:00Z`);
            expect(end).toBeGreaterThan(Date.parse(timeMin));
            expect(start).toBeLessThan(Date.parse(timeMax));
        }
    });

    it('orders by startTime only with singleEvents, and such answers carry no sync token', async () => {
        const refused = await events('primary', { orderBy: 'startTime' });
        expect(refused.status).toBe(400);
        expect(errorOf(refused.body).message).toBe('The requested ordering is not available for the particular query.');
        const { items, syncToken } = await listAll('primary', { orderBy: 'startTime', singleEvents: true, maxResults: 50 });
        expect(syncToken).toBeUndefined();
        const starts = items.map((item) => Date.parse(item.start!.dateTime ?? `${item.start!.date}T00:00:00Z`));
        expect([...starts].sort((a, b) => a - b)).toEqual(starts);
    });

    it('refuses every parameter that cannot go with a syncToken', async () => {
        const { syncToken } = await listAll('primary', { maxResults: 2500 });
        const forbidden: Record<string, string> = {
            iCalUID: 'x@google.com',
            orderBy: 'updated',
            privateExtendedProperty: 'a=b',
            q: 'lunch',
            sharedExtendedProperty: 'a=b',
            timeMin: '2026-01-01T00:00:00Z',
            timeMax: '2027-01-01T00:00:00Z',
            updatedMin: '2026-01-01T00:00:00Z'
        };
        for (const [name, value] of Object.entries(forbidden)) {
            const res = await events('primary', { syncToken: syncToken!, [name]: value });
            expect(res.status, name).toBe(400);
            expect(errorOf(res.body).errors[0]?.reason, name).toBe('invalid');
        }
    });
});

describe('calendar simulator: sync tokens', () => {
    beforeEach(() => setup());

    it('returns only what changed since the token, cancellations included whatever showDeleted says', async () => {
        const { syncToken } = await listAll('primary', { maxResults: 2500 });
        const empty = await events('primary', { syncToken: syncToken! });
        expect(empty.body['items']).toEqual([]);
        expect(empty.body['nextSyncToken']).toBeTruthy();

        const calendar = sim.calendar('primary');
        const [edited, cancelled] = calendar.events.filter((e) => e.status === 'confirmed' && !e.recurrence && !e.recurringEventId);
        edited!.summary = 'Edited at Google';
        sim.store.touch(calendar, edited!);
        sim.store.cancel(calendar, cancelled!);

        const changes = await events('primary', { syncToken: syncToken!, showDeleted: false });
        const items = changes.body['items'] as calendar_v3.Schema$Event[];
        expect(items.map((item) => item.id).sort()).toEqual([edited!.id, cancelled!.id].sort());
        const gone = items.find((item) => item.id === cancelled!.id)!;
        expect(gone).toEqual({ kind: 'calendar#event', etag: `"${cancelled!.etag}"`, id: cancelled!.id, status: 'cancelled' });
        expect(items.find((item) => item.id === edited!.id)?.summary).toBe('Edited at Google');

        const next = await events('primary', { syncToken: String(changes.body['nextSyncToken']) });
        expect(next.body['items']).toEqual([]);
    });

    it('answers 410 fullSyncRequired with Calendar body for a token of another calendar and after invalidation', async () => {
        const { syncToken } = await listAll('primary', { maxResults: 2500 });
        const other = sim.store.listed().find((c) => !c.primary)!;
        const foreign = await events(enc(other.id), { syncToken: syncToken! });
        expect(foreign.status).toBe(410);
        expect(foreign.body).toEqual({
            error: {
                code: 410,
                message: 'Sync token is no longer valid, a full sync is required.',
                errors: [
                    { domain: 'calendar', reason: 'fullSyncRequired', message: 'Sync token is no longer valid, a full sync is required.' }
                ]
            }
        });
        expect((await events('primary', { syncToken: syncToken! })).status).toBe(200);
        sim.invalidateSyncTokens('primary');
        expect((await events('primary', { syncToken: syncToken! })).status).toBe(410);
        expect((await events('primary', { syncToken: 'garbage' })).status).toBe(410);
    });

    it('pages an incremental listing and keeps the token of its first page bound to the query', async () => {
        const { syncToken } = await listAll('primary', { maxResults: 2500 });
        const calendar = sim.calendar('primary');
        const live = calendar.events.filter((e) => e.status === 'confirmed').slice(0, 12);
        for (const event of live) sim.store.touch(calendar, event);
        const { items, pages, syncToken: next } = await listAll('primary', { syncToken: syncToken!, maxResults: 5 });
        expect(pages.length).toBe(3);
        expect(items.map((i) => i.id).sort()).toEqual(live.map((e) => e.id).sort());
        expect(next).toBeTruthy();
    });

    it('counts a change made while a full listing is being paged in the next incremental listing', async () => {
        const first = await events('primary', { maxResults: 5 });
        const calendar = sim.calendar('primary');
        const early = calendar.events.find((e) => e.status === 'confirmed' && e.index < 2)!;
        early.summary = 'changed during paging';
        sim.store.touch(calendar, early);
        let pageToken = first.body['nextPageToken'] as string | undefined;
        let syncToken: string | undefined;
        while (pageToken) {
            const page = await events('primary', { maxResults: 5, pageToken });
            pageToken = page.body['nextPageToken'] as string | undefined;
            syncToken = page.body['nextSyncToken'] as string | undefined;
        }
        const changes = await events('primary', { syncToken: syncToken! });
        expect((changes.body['items'] as Json[]).map((i) => i['id'])).toContain(early.id);
    });
});

describe('calendar simulator: recurring events', () => {
    beforeEach(() => setup());

    function recurringWithExceptions() {
        const calendar = sim.calendar('primary');
        const master = calendar.events.find(
            (e) => e.recurrence && e.status === 'confirmed' && sim.store.exceptionsOf(calendar, e.id).length > 0
        )!;
        return { calendar, master, exceptions: sim.store.exceptionsOf(calendar, master.id) };
    }

    it('lists masters and exceptions without singleEvents; cancelled instances are listed, cancelled single events are not', async () => {
        const { items } = await listAll('primary', { maxResults: 2500 });
        const { master, exceptions } = recurringWithExceptions();
        const ids = new Set(items.map((i) => i.id));
        expect(ids.has(master.id)).toBe(true);
        for (const exception of exceptions) expect(ids.has(exception.id)).toBe(true);
        const cancelledSingle = sim.calendar('primary').events.find((e) => e.status === 'cancelled' && !e.recurringEventId)!;
        expect(ids.has(cancelledSingle.id)).toBe(false);
        const withDeleted = await listAll('primary', { maxResults: 2500, showDeleted: true });
        expect(withDeleted.items.map((i) => i.id)).toContain(cancelledSingle.id);
    });

    it('expands a series into instances named <masterId>_<UTC start>, with its exceptions in place', async () => {
        const { calendar, master } = recurringWithExceptions();
        const { items } = await listAll('primary', { singleEvents: true, maxResults: 2500 });
        const instances = items.filter((i) => i.recurringEventId === master.id);
        expect(instances.length).toBeGreaterThan(1);
        expect(items.some((i) => i.id === master.id)).toBe(false);
        for (const instance of instances) expect(instance.id).toMatch(new RegExp(`^${master.id}_\\d{8}T\\d{6}Z$`));
        for (const exception of sim.store.exceptionsOf(calendar, master.id)) {
            const listed = instances.find((i) => i.id === exception.id);
            if (exception.status === 'cancelled') expect(listed).toBeUndefined();
            else expect(listed?.summary).toBe(exception.summary);
        }
    });

    it('keeps a weekly 10:00 Paris meeting at 10:00 local time across the DST change', async () => {
        const res = await call('POST', '/calendars/primary/events', {
            body: {
                summary: 'Standup',
                start: { dateTime: '2026-03-16T10:00:00', timeZone: 'Europe/Paris' },
                end: { dateTime: '2026-03-16T10:15:00', timeZone: 'Europe/Paris' },
                recurrence: ['RRULE:FREQ=WEEKLY;COUNT=4']
            }
        });
        expect(res.status).toBe(200);
        const { items } = await listAll('primary', { singleEvents: true, q: 'Standup', timeZone: 'Europe/Paris' });
        const starts = items.filter((i) => i.recurringEventId === res.body['id']).map((i) => i.start!.dateTime);
        expect(starts).toEqual([
            '2026-03-16T10:00:00+01:00',
            '2026-03-23T10:00:00+01:00',
            '2026-03-30T10:00:00+02:00',
            '2026-04-06T10:00:00+02:00'
        ]);
    });

    it('gets and patches an instance by id, which creates an exception that the next incremental listing returns', async () => {
        const { syncToken } = await listAll('primary', { maxResults: 2500 });
        const { master } = recurringWithExceptions();
        const { items } = await listAll('primary', { singleEvents: true, maxResults: 2500 });
        const instance = items.find((i) => i.recurringEventId === master.id && !sim.store.stored(sim.calendar('primary'), i.id!))!;
        const fetched = await get(`/calendars/primary/events/${instance.id}`);
        expect(fetched.status).toBe(200);
        expect(fetched.body['originalStartTime']).toEqual(instance.start);
        const patched = await call('PATCH', `/calendars/primary/events/${instance.id}`, { body: { summary: 'Just this once' } });
        expect(patched.status).toBe(200);
        const changes = await events('primary', { syncToken: syncToken! });
        const exception = (changes.body['items'] as calendar_v3.Schema$Event[]).find((i) => i.id === instance.id);
        expect(exception).toMatchObject({ summary: 'Just this once', recurringEventId: master.id });
    });

    it('an exception owns its attendees: an RSVP on the series changes neither the exception nor its etag', async () => {
        const calendar = sim.calendar('primary');
        const master = calendar.events.find((e) => e.recurrence && !e.recurringEventId && e.status === 'confirmed')!;
        master.attendees = [{ email: 'jamie.chen@example.com', responseStatus: 'needsAction' }];
        master.reminders = { useDefault: false, overrides: [{ method: 'popup', minutes: 10 }] };
        sim.store.touch(calendar, master);
        const [at] = sim.store
            .instanceStarts(calendar, master, clock.now(), clock.now() + 400 * 86_400_000)
            .filter((start) => !sim.store.stored(calendar, sim.store.instance(master, start).id));
        const exception = sim.store.materialize(calendar, sim.store.instance(master, at!));
        const before = (await get(`/calendars/primary/events/${exception.id}`)).body;

        // As the edit-events activity answers an invitation: in place, then the series is touched.
        master.attendees[0]!.responseStatus = 'accepted';
        master.reminders.overrides![0]!.minutes = 30;
        master.organizer.displayName = 'Renamed';
        sim.store.touch(calendar, master);
        const after = (await get(`/calendars/primary/events/${exception.id}`)).body;
        expect(after).toEqual(before);
        expect(after['attendees']).toMatchObject([{ email: 'jamie.chen@example.com', responseStatus: 'needsAction' }]);
    });

    it('cancelling a series cancels its exceptions too', async () => {
        const { calendar, master, exceptions } = recurringWithExceptions();
        const res = await call('DELETE', `/calendars/primary/events/${master.id}`);
        expect(res.status).toBe(204);
        for (const exception of exceptions) expect(sim.store.stored(calendar, exception.id)?.status).toBe('cancelled');
        const truthIds = sim.truthFor(['primary']).map((t) => t.id);
        expect(truthIds.some((id) => id.includes(master.id))).toBe(false);
    });
});

describe('calendar simulator: writes', () => {
    beforeEach(() => setup());

    const body = {
        summary: 'Kickoff',
        start: { dateTime: '2026-02-01T09:00:00-05:00', timeZone: 'America/New_York' },
        end: { dateTime: '2026-02-01T10:00:00-05:00', timeZone: 'America/New_York' },
        attendees: [{ email: 'jamie.chen@example.com' }, { email: 'sofia.rossi@partner.io' }]
    };

    it('inserts with a client-chosen id and answers 409 duplicate to a second insert, even after a delete', async () => {
        const created = await call('POST', '/calendars/primary/events?sendUpdates=all', { body: { ...body, id: 'kickoff2026abc' } });
        expect(created.status).toBe(200);
        expect(created.body).toMatchObject({ id: 'kickoff2026abc', status: 'confirmed', summary: 'Kickoff' });
        expect(sim.store.notifications.at(-1)).toMatchObject({ eventId: 'kickoff2026abc', kind: 'invitation' });
        const again = await call('POST', '/calendars/primary/events', { body: { ...body, id: 'kickoff2026abc' } });
        expect(again.status).toBe(409);
        expect(errorOf(again.body).errors[0]?.reason).toBe('duplicate');
        expect((await call('DELETE', '/calendars/primary/events/kickoff2026abc')).status).toBe(204);
        expect((await call('DELETE', '/calendars/primary/events/kickoff2026abc')).status).toBe(410);
        const gone = await get('/calendars/primary/events/kickoff2026abc');
        expect(gone.body['status']).toBe('cancelled');
        expect((await call('POST', '/calendars/primary/events', { body: { ...body, id: 'kickoff2026abc' } })).status).toBe(409);
    });

    it('refuses ids outside base32hex or outside 5..1024 characters', async () => {
        for (const id of ['abc', 'UPPER12345', 'has-dash-123', 'wxyz12345', 'a'.repeat(1025)]) {
            const res = await call('POST', '/calendars/primary/events', { body: { ...body, id } });
            expect(res.status, id).toBe(400);
            expect(errorOf(res.body).message).toBe('Invalid resource id value.');
        }
    });

    it('validates times, zones, recurrence and attendees as Calendar does', async () => {
        const cases: [unknown, string][] = [
            [{ ...body, end: undefined }, 'Missing end time.'],
            [{ ...body, end: { dateTime: '2026-02-01T08:00:00-05:00' } }, 'The specified time range is empty.'],
            [{ ...body, end: { date: '2026-02-02' } }, 'Start and end times must either both be date or both be dateTime.'],
            [
                { ...body, start: { dateTime: '2026-02-01T09:00:00' }, end: { dateTime: '2026-02-01T10:00:00' } },
                'Missing time zone definition for start time.'
            ],
            [
                { ...body, start: { dateTime: '2026-02-01T09:00:00', timeZone: 'Mars/Olympus' } },
                'Invalid time zone definition for start time.'
            ],
            [{ ...body, recurrence: ['RRULE:FREQ=SOMETIMES'] }, 'Invalid recurrence rule.'],
            [{ ...body, recurrence: ['RRULE:FREQ=DAILY;COUNT=3;UNTIL=20260301T000000Z'] }, 'Invalid recurrence rule.'],
            [{ ...body, attendees: [{ email: 'not an email' }] }, 'Invalid attendee email.'],
            [{ ...body, start: { date: '2026-02-01' }, end: { date: '2026-02-01' } }, 'The specified time range is empty.']
        ];
        for (const [input, message] of cases) {
            const res = await call('POST', '/calendars/primary/events', { body: input });
            expect(res.status, message).toBe(400);
            expect(errorOf(res.body).message).toBe(message);
        }
        const recurringWithoutZone = await call('POST', '/calendars/primary/events', {
            body: {
                ...body,
                start: { dateTime: '2026-02-01T09:00:00Z' },
                end: { dateTime: '2026-02-01T10:00:00Z' },
                recurrence: ['RRULE:FREQ=DAILY']
            }
        });
        expect(errorOf(recurringWithoutZone.body).message).toBe('Missing time zone definition for start time.');
    });

    it('creates a Meet link only with conferenceDataVersion=1, the same link for the same request id', async () => {
        const conferenceData = { createRequest: { requestId: 'req-1', conferenceSolutionKey: { type: 'hangoutsMeet' } } };
        const ignored = await call('POST', '/calendars/primary/events', { body: { ...body, conferenceData } });
        expect(ignored.body['hangoutLink']).toBeUndefined();
        const made = await call('POST', '/calendars/primary/events?conferenceDataVersion=1', { body: { ...body, conferenceData } });
        expect(made.body['hangoutLink']).toMatch(/^https:\/\/meet\.google\.com\/[a-z]{3}-[a-z]{4}-[a-z]{3}$/);
        const entry = (made.body['conferenceData'] as calendar_v3.Schema$ConferenceData).entryPoints![0]!;
        expect(entry).toMatchObject({ entryPointType: 'video', uri: made.body['hangoutLink'] });
        const twin = await call('POST', '/calendars/primary/events?conferenceDataVersion=1', { body: { ...body, conferenceData } });
        expect(twin.body['hangoutLink']).toBe(made.body['hangoutLink']);
    });

    it('refuses writes to a read-only calendar with 403', async () => {
        const res = await call('POST', `/calendars/${enc(HOLIDAY_CALENDAR)}/events`, { body });
        expect(res.status).toBe(403);
        expect(errorOf(res.body).errors[0]?.reason).toBe('requiredAccessLevel');
    });

    it('patches only the given fields, changes the etag every time, and answers 412 to a stale If-Match', async () => {
        const target = anyWritableEvent();
        const before = (await get(`/calendars/primary/events/${target.id}`)).body as calendar_v3.Schema$Event;
        const patched = await call('PATCH', `/calendars/primary/events/${target.id}`, {
            body: { location: 'Room 9' },
            headers: { 'If-Match': before.etag! }
        });
        expect(patched.status).toBe(200);
        expect(patched.body).toMatchObject({ location: 'Room 9', summary: before.summary, start: before.start, end: before.end });
        expect(patched.body['etag']).not.toBe(before.etag);
        expect(Date.parse(String(patched.body['updated']))).toBeGreaterThanOrEqual(Date.parse(before.updated!));
        const stale = await call('PATCH', `/calendars/primary/events/${target.id}`, {
            body: { location: 'Room 10' },
            headers: { 'If-Match': before.etag! }
        });
        expect(stale.status).toBe(412);
        expect(errorOf(stale.body).errors[0]?.reason).toBe('conditionNotMet');
        const missing = await call('PATCH', '/calendars/primary/events/doesnotexist0', { body: { location: 'x' } });
        expect(missing.status).toBe(404);
        const invalid = await call('PATCH', `/calendars/primary/events/${target.id}`, {
            body: { end: { dateTime: '2000-01-01T00:00:00Z' } }
        });
        expect(invalid.status).toBe(400);
    });
});

describe('calendar simulator: quota, faults and auth', () => {
    it('answers a request over the per-minute limit with 403 rateLimitExceeded, and serves again once the window passes', async () => {
        setup({ events: 10 });
        expect(sim.core.limit.capacity).toBe(600);
        expect(sim.core.limit.windowMs).toBe(60_000);
        // The same sliding window, made small so the test does not need 600 requests.
        sim.core.limit.capacity = 20;
        for (let i = 0; i < 20; i += 1) expect((await get('/calendars/primary')).status).toBe(200);
        const limited = await get('/calendars/primary');
        expect(limited.status).toBe(403);
        expect(errorOf(limited.body).errors[0]).toMatchObject({ domain: 'usageLimits', reason: 'rateLimitExceeded' });
        clock.advance(60_000);
        expect((await get('/calendars/primary')).status).toBe(200);
        expect(sim.core.meter.get('calendars.get').limited).toBe(1);
    });

    it('can answer the limit with 429 instead', async () => {
        setup({ events: 10, rateLimitStyle: '429' });
        sim.core.limit.capacity = 5;
        for (let i = 0; i < 5; i += 1) await get('/calendars/primary');
        const limited = await get('/calendars/primary');
        expect(limited.status).toBe(429);
        expect(errorOf(limited.body).errors[0]?.reason).toBe('rateLimitExceeded');
    });

    it('injects faults in Google words and refuses a wrong token', async () => {
        setup({ events: 10 });
        sim.core.faults.inject('events.list', { kind: 'status', status: 403, reason: 'userRateLimitExceeded' });
        sim.core.faults.inject('events.list', { kind: 'status', status: 503 });
        const first = await events('primary');
        expect(first.status).toBe(403);
        expect(errorOf(first.body).errors[0]).toMatchObject({ reason: 'userRateLimitExceeded', domain: 'usageLimits' });
        expect((await events('primary')).status).toBe(503);
        expect((await events('primary')).status).toBe(200);
        const unauthorized = await call('GET', '/calendars/primary/events', { token: 'wrong' });
        expect(unauthorized.status).toBe(401);
        expect(errorOf(unauthorized.body).errors[0]?.reason).toBe('authError');
    });

    it('applies an insert whose answer is dropped, so a retry with the same id meets 409', async () => {
        setup({ events: 10 });
        sim.core.faults.inject('events.insert', { kind: 'drop-response' });
        const body = { id: 'dropped12345', summary: 'x', start: { date: '2026-03-01' }, end: { date: '2026-03-02' } };
        await expect(call('POST', '/calendars/primary/events', { body })).rejects.toThrow();
        expect(sim.store.stored(sim.calendar('primary'), 'dropped12345')).toBeDefined();
        expect((await call('POST', '/calendars/primary/events', { body })).status).toBe(409);
    });
});

describe('calendar simulator: truth, activities, snapshots', () => {
    beforeEach(() => setup());

    it('has truth ids `<calendarId>/<eventId>` with the etag as version, without cancelled single events', () => {
        const truth = sim.truthFor(['primary']);
        const calendar = sim.calendar('primary');
        const cancelled = calendar.events.find((e) => e.status === 'cancelled' && !e.recurringEventId)!;
        expect(truth.some((t) => t.id === `${SEED_USER.email}/${cancelled.id}`)).toBe(false);
        const live = calendar.events.find((e) => e.status === 'confirmed')!;
        expect(truth).toContainEqual({ id: `${SEED_USER.email}/${live.id}`, version: `"${live.etag}"` });
        const cancelledInstance = calendar.events.find((e) => e.status === 'cancelled' && e.recurringEventId);
        if (cancelledInstance) expect(truth.map((t) => t.id)).toContain(`${SEED_USER.email}/${cancelledInstance.id}`);
        expect(sim.truth('GoogleCalendarEvent').length).toBeGreaterThan(truth.length);
    });

    it('applies every activity and changes the truth accordingly', async () => {
        for (const { name } of sim.activities()) {
            const before = new Map(sim.truth('GoogleCalendarEvent').map((t) => [t.id, t.version]));
            const summary = sim.applyActivity(name);
            const after = new Map(sim.truth('GoogleCalendarEvent').map((t) => [t.id, t.version]));
            const changed =
                [...after].filter(([id, version]) => before.get(id) !== version).length +
                [...before.keys()].filter((id) => !after.has(id)).length;
            if (name === 'token-expiry') expect(changed, name).toBe(0);
            else expect(changed, `${name}: ${summary}`).toBeGreaterThan(0);
        }
    });

    it('restores a snapshot into an equal simulator', async () => {
        sim.applyActivity('edit-events');
        const copy = CalendarSimulator.restore(JSON.parse(JSON.stringify(sim.snapshot())), { clock });
        expect(copy.truth('GoogleCalendarEvent')).toEqual(sim.truth('GoogleCalendarEvent'));
        copy.applyActivity('new-events');
        sim.applyActivity('new-events');
        expect(copy.truth('GoogleCalendarEvent')).toEqual(sim.truth('GoogleCalendarEvent'));
    });
});

describe('calendar simulator: shapes of live calendars', () => {
    beforeEach(() => setup({ events: 300 }));

    it('keeps the whole body of a deleted event on its organizer calendar, except in incremental listings without showDeleted', async () => {
        const { syncToken } = await listAll('primary', { maxResults: 2500 });
        const calendar = sim.calendar('primary');
        const single = calendar.events.find(
            (e) => e.status === 'confirmed' && !e.recurrence && !e.recurringEventId && e.organizer.email === SEED_USER.email
        )!;
        const master = calendar.events.find((e) => e.status === 'confirmed' && e.recurrence && e.organizer.email === SEED_USER.email)!;
        sim.store.cancel(calendar, single);
        sim.store.cancel(calendar, master);

        const bare = (await listAll('primary', { syncToken: syncToken! })).items;
        expect(bare.find((item) => item.id === single.id)).toEqual({
            kind: 'calendar#event',
            etag: `"${single.etag}"`,
            id: single.id,
            status: 'cancelled'
        });
        expect(bare.find((item) => item.id === master.id)).toMatchObject({ status: 'cancelled' });
        expect(bare.find((item) => item.id === master.id)?.recurrence).toBeUndefined();

        const full = (await listAll('primary', { syncToken: syncToken!, showDeleted: true })).items;
        expect(full.find((item) => item.id === single.id)).toMatchObject({ status: 'cancelled', summary: single.summary, start: {} });
        expect(full.find((item) => item.id === master.id)).toMatchObject({ status: 'cancelled', recurrence: master.recurrence });

        // A full listing shows cancelled instances; on the organizer's calendar with their details.
        const instance = calendar.events.find(
            (e) => e.status === 'cancelled' && e.recurringEventId && e.organizer.email === SEED_USER.email
        )!;
        const listed = (await listAll('primary', { maxResults: 2500 })).items.find((item) => item.id === instance.id)!;
        expect(listed).toMatchObject({ status: 'cancelled', recurringEventId: instance.recurringEventId, summary: instance.summary });
        expect(listed.start?.dateTime ?? listed.start?.date).toBeTruthy();
    });

    it('seeds out-of-office and focus-time blocks, add-on conferencing, attachments, app data, comments, free and private events', async () => {
        const items = [
            ...(await listAll('primary', { maxResults: 2500 })).items,
            ...(await listAll(sim.store.listed().find((c) => c.summary === 'Product Team')!.id)).items
        ];
        const ooo = items.find((item) => item.eventType === 'outOfOffice')!;
        expect(ooo.outOfOfficeProperties?.autoDeclineMode).toBe('declineAllConflictingInvitations');
        expect(items.some((item) => item.eventType === 'focusTime' && item.focusTimeProperties)).toBe(true);
        const zoom = items.find((item) => item.conferenceData?.conferenceSolution?.key?.type === 'addOn')!;
        expect(zoom.hangoutLink).toBeUndefined();
        expect(zoom.conferenceData?.entryPoints?.find((entry) => entry.entryPointType === 'video')?.uri).toMatch(
            /^https:\/\/\S+zoom\.us\//
        );
        expect(items.find((item) => item.attachments)?.attachments?.[0]?.fileUrl).toMatch(/^https:\/\/drive\.google\.com\//);
        expect(items.find((item) => item.extendedProperties)?.extendedProperties?.private).toBeTruthy();
        expect(items.some((item) => item.attendees?.some((attendee) => attendee.comment))).toBe(true);
        expect(items.some((item) => item.transparency === 'transparent')).toBe(true);
        expect(items.some((item) => item.visibility === 'private')).toBe(true);
        const birthdays = await listAll('addressbook#contacts@group.v.calendar.google.com');
        expect(birthdays.items.every((item) => item.eventType === 'birthday' && item.birthdayProperties?.type === 'birthday')).toBe(true);
    });

    it("writes dateTime with the calendar's offset (or the timeZone asked) beside the event's own timeZone", async () => {
        const { items } = await listAll('primary', { maxResults: 2500 });
        const foreign = items.find((item) => item.start?.timeZone && item.start.timeZone !== 'America/New_York')!;
        expect(foreign.start!.dateTime).toMatch(/-0[45]:00$/);
        const stored = sim.calendar('primary').events.find((e) => e.id === foreign.id)!;
        expect(Date.parse(foreign.start!.dateTime!)).toBe(stored.start.ms);
        const inTokyo = await listAll('primary', { maxResults: 2500, timeZone: 'Asia/Tokyo' });
        expect(inTokyo.items.find((item) => item.id === foreign.id)!.start!.dateTime).toMatch(/\+09:00$/);
        const one = await get(`/calendars/primary/events/${foreign.id}?timeZone=Asia%2FTokyo`);
        expect((one.body['start'] as Json)['dateTime']).toMatch(/\+09:00$/);
        expect((await get(`/calendars/primary/events/${foreign.id}?timeZone=Mars%2FOlympus`)).status).toBe(400);
    });

    it('answers pages with no items and a nextPageToken over runs of deleted events, when pages scan little', async () => {
        setup({ events: 300, scanLimit: 1 });
        const { items, pages } = await listAll('primary', { maxResults: 50 });
        const empty = pages.filter((page) => page.items!.length === 0 && page.nextPageToken);
        expect(empty.length).toBeGreaterThan(0);
        const expected = sim.calendar('primary').events.filter((e) => e.status !== 'cancelled' || e.recurringEventId);
        expect(items.length).toBe(expected.length);
    });

    it('serves an event changed during a listing again, as it now is, on the next page', async () => {
        const first = await events('primary', { maxResults: 20 });
        const page = first.body as calendar_v3.Schema$Events;
        const calendar = sim.calendar('primary');
        const changed = calendar.events.find((e) => e.id === page.items![3]!.id)!;
        changed.summary = 'Renamed while listing';
        sim.store.touch(calendar, changed);
        const second = (await events('primary', { maxResults: 20, pageToken: page.nextPageToken! })).body as calendar_v3.Schema$Events;
        expect(second.items!.filter((item) => item.id === changed.id)).toEqual([
            expect.objectContaining({ summary: 'Renamed while listing', etag: `"${changed.etag}"` })
        ]);
        const third = (await events('primary', { maxResults: 20, pageToken: second.nextPageToken! })).body as calendar_v3.Schema$Events;
        expect(third.items!.some((item) => item.id === changed.id)).toBe(false);
    });
});

describe('calendar simulator: extended properties', () => {
    beforeEach(() => setup({ events: 300 }));

    it('filters by private and shared extended properties, every constraint matching', async () => {
        const calendar = sim.calendar('primary');
        const [a, b] = calendar.events.filter((e) => e.status === 'confirmed' && !e.recurrence && !e.recurringEventId);
        a!.extendedProperties = { private: { crmId: 'x=1' }, shared: { ticket: 'T1' } };
        b!.extendedProperties = { private: { crmId: 'x=1' } };
        const both = await listAll('primary', { privateExtendedProperty: 'crmId=x=1' });
        expect(both.items.map((item) => item.id).sort()).toEqual([a!.id, b!.id].sort());
        // A filtered listing gives no sync token.
        expect(both.syncToken).toBeUndefined();
        const query = new URLSearchParams([
            ['privateExtendedProperty', 'crmId=x=1'],
            ['sharedExtendedProperty', 'ticket=T1']
        ]);
        const one = await get(`/calendars/primary/events?${query}`);
        expect((one.body['items'] as Json[]).map((item) => item['id'])).toEqual([a!.id]);
    });
});
