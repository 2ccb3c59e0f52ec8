import { http } from 'msw';
import { describe, expect, it } from 'vitest';
import type { GoogleCalendarEvent } from '../../models.js';
import { CALENDAR_BASE, HOLIDAY_CALENDAR, SEED_USER } from '../../simulators/calendar/index.js';
import { server } from '../support/msw.js';
import { conn, expectInSync, MODEL, testBed, type Bed } from './support.js';

const kickoff = {
    summary: 'Kickoff with Acme',
    description: 'Scope, timeline, owners',
    location: 'Room 4.12',
    start: { dateTime: '2026-02-03T09:30:00', timeZone: 'Europe/Paris' },
    end: { dateTime: '2026-02-03T10:30:00', timeZone: 'Europe/Paris' },
    attendees: [
        { email: 'jamie.chen@example.com', name: 'Jamie Chen' },
        { email: 'sofia.rossi@partner.io', optional: true }
    ],
    reminders: { useDefault: false, overrides: [{ method: 'popup' as const, minutes: 15 }] },
    addGoogleMeet: true,
    sendUpdates: 'all' as const
};

async function create(bed: Bed, input: unknown): Promise<GoogleCalendarEvent> {
    const result = await bed.action('create-event', input);
    if (result.status !== 'success') throw new Error(`create-event failed: ${JSON.stringify(result.error)}`);
    return result.output as GoogleCalendarEvent;
}

async function failure(bed: Bed, name: 'create-event' | 'update-event', input: unknown) {
    const result = await bed.action(name, input);
    if (result.status !== 'failed') throw new Error(`${name} unexpectedly succeeded: ${JSON.stringify(result.output)}`);
    return { ...result.error, calls: result.calls };
}

function storedEvents(bed: Bed, summary: string) {
    return bed.sim.calendar('primary').events.filter((event) => event.summary === summary);
}

describe('create-event', () => {
    it('creates the event with attendees, reminders and a Meet link, in the shape the sync stores', async () => {
        const bed = testBed();
        const output = await create(bed, kickoff);
        expect(output).toMatchObject({
            calendarId: SEED_USER.email,
            status: 'confirmed',
            summary: 'Kickoff with Acme',
            start: { dateTime: '2026-02-03T09:30:00+01:00', timeZone: 'Europe/Paris', date: null },
            isAllDay: false,
            organizer: { email: SEED_USER.email, name: SEED_USER.displayName }
        });
        expect(output.id).toBe(`${SEED_USER.email}/${output.eventId}`);
        expect(output.eventId).toMatch(/^[a-v0-9]{32}$/);
        expect(output.conferenceLink).toMatch(/^https:\/\/meet\.google\.com\//);
        expect(output.attendees.map((a) => [a.email, a.optional])).toEqual([
            ['jamie.chen@example.com', false],
            ['sofia.rossi@partner.io', true]
        ]);
        expect(bed.sim.store.notifications.at(-1)).toMatchObject({ eventId: output.eventId, kind: 'invitation' });

        await bed.sync();
        const cached = bed.store.getRecordsByIds(conn, MODEL, [output.id]).get(output.id)!;
        const { _nango_metadata: _metadata, ...record } = cached;
        expect(record).toEqual(output);
        expectInSync(bed);
    });

    it('is idempotent: an insert applied but whose answer was lost is retried, meets 409, and returns the event made', async () => {
        const bed = testBed();
        bed.sim.core.faults.inject('events.insert', { kind: 'drop-response' });
        const output = await create(bed, kickoff);
        expect(storedEvents(bed, kickoff.summary)).toHaveLength(1);
        expect(bed.sim.core.meter.get('events.insert').calls).toBe(2);
        expect(bed.sim.core.meter.get('events.get').calls).toBe(1);
        expect(output.etag).toBe(`"${storedEvents(bed, kickoff.summary)[0]!.etag}"`);
        // Calling again with the same input is the same event, too.
        const again = await create(bed, kickoff);
        expect(again.id).toBe(output.id);
        expect(storedEvents(bed, kickoff.summary)).toHaveLength(1);
    });

    it('makes two events of the same input when the caller gives two ids', async () => {
        const bed = testBed();
        const first = await create(bed, { ...kickoff, eventId: 'acmekickoff001' });
        const second = await create(bed, { ...kickoff, eventId: 'acmekickoff002' });
        expect([first.eventId, second.eventId]).toEqual(['acmekickoff001', 'acmekickoff002']);
        expect(storedEvents(bed, kickoff.summary)).toHaveLength(2);
    });

    it('answers conflict when a caller-chosen id already belongs to a different event', async () => {
        const bed = testBed();
        await create(bed, { ...kickoff, eventId: 'sharedid12345' });
        const error = await failure(bed, 'create-event', { ...kickoff, summary: 'Something else', eventId: 'sharedid12345' });
        expect(error.payload).toMatchObject({ type: 'conflict', eventId: 'sharedid12345' });
        expect(error.payload['currentEtag']).toMatch(/^"\d+"$/);
    });

    it('restores a cancelled event that holds the id, with the new input', async () => {
        const bed = testBed();
        const made = await create(bed, { ...kickoff, eventId: 'restoreme12345', addGoogleMeet: false });
        bed.sim.store.cancel(bed.sim.calendar('primary'), bed.sim.store.stored(bed.sim.calendar('primary'), made.eventId)!);
        const restored = await create(bed, { ...kickoff, eventId: 'restoreme12345', summary: 'Kickoff, take two', addGoogleMeet: false });
        expect(restored).toMatchObject({ eventId: 'restoreme12345', status: 'confirmed', summary: 'Kickoff, take two' });
    });

    it('creates all-day and recurring events, on a calendar whose id holds # and @ when writable', async () => {
        const bed = testBed();
        const day = await create(bed, { summary: 'Offsite', start: { date: '2026-03-10' }, end: { date: '2026-03-12' } });
        expect(day).toMatchObject({
            isAllDay: true,
            start: { date: '2026-03-10', dateTime: null, timeZone: null },
            end: { date: '2026-03-12' }
        });
        const weekly = await create(bed, {
            summary: 'Team sync',
            start: { dateTime: '2026-03-02T10:00:00', timeZone: 'America/New_York' },
            end: { dateTime: '2026-03-02T10:30:00', timeZone: 'America/New_York' },
            recurrence: ['RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=10', 'EXDATE;TZID=America/New_York:20260309T100000']
        });
        expect(weekly.recurrence).toEqual(['RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=10', 'EXDATE;TZID=America/New_York:20260309T100000']);
        const readOnly = await failure(bed, 'create-event', { ...kickoff, calendarId: HOLIDAY_CALENDAR });
        expect(readOnly.payload).toMatchObject({ type: 'forbidden' });
        const missing = await failure(bed, 'create-event', { ...kickoff, calendarId: 'nobody#x@group.calendar.google.com' });
        expect(missing.payload).toMatchObject({ type: 'not_found' });
    });

    it('refuses bad input before calling Calendar, naming the field', async () => {
        const bed = testBed();
        const cases: [Record<string, unknown>, string][] = [
            [{ end: { dateTime: '2026-02-03T08:00:00', timeZone: 'Europe/Paris' } }, 'end'],
            [{ end: { date: '2026-02-04' } }, 'end'],
            [{ start: { date: '2026-02-03', dateTime: '2026-02-03T09:30:00Z' } }, 'start'],
            [{ start: {} }, 'start'],
            [{ start: { dateTime: '2026-02-03T09:30:00', timeZone: 'Europe/Atlantis' } }, 'start.timeZone'],
            [{ start: { dateTime: '2026-02-03T09:30:00' } }, 'start.timeZone'],
            [{ start: { dateTime: '03/02/2026 09:30' } }, 'start.dateTime'],
            [{ start: { date: '2026-02-30' }, end: { date: '2026-03-01' } }, 'start.date'],
            [{ start: { date: '2026-03-02' }, end: { date: '2026-03-02' } }, 'end'],
            [{ attendees: [{ email: 'jamie.chen' }] }, 'attendees[0].email'],
            [{ attendees: [{ email: 'a@b.c' }, { email: 'two@@example.com' }] }, 'attendees[1].email'],
            [{ recurrence: ['FREQ=WEEKLY'] }, 'recurrence[0]'],
            [{ recurrence: ['RRULE:BYDAY=MO'] }, 'recurrence[0]'],
            [{ recurrence: ['RRULE:FREQ=WEEKLY;BYDAY=XX'] }, 'recurrence[0]'],
            [{ recurrence: ['RRULE:FREQ=DAILY;COUNT=3;UNTIL=20260401T000000Z'] }, 'recurrence[0]'],
            [{ recurrence: ['RRULE:FREQ=DAILY', 'VEVENT:nonsense'] }, 'recurrence[1]'],
            [{ recurrence: ['EXDATE;TZID=Nowhere/City:20260309T100000'] }, 'recurrence[0]'],
            [
                {
                    start: { dateTime: '2026-02-03T09:30:00Z' },
                    end: { dateTime: '2026-02-03T10:30:00Z' },
                    recurrence: ['RRULE:FREQ=DAILY']
                },
                'start.timeZone'
            ],
            [{ eventId: 'ABC12345' }, 'eventId'],
            [{ eventId: 'abc' }, 'eventId'],
            [{ eventId: 'has_underscore1' }, 'eventId'],
            [{ reminders: { useDefault: true, overrides: [{ method: 'popup', minutes: 5 }] } }, 'reminders'],
            [{ reminders: { useDefault: false, overrides: [{ method: 'email', minutes: 50000 }] } }, 'reminders.overrides[0].minutes'],
            [
                { reminders: { useDefault: false, overrides: Array.from({ length: 6 }, () => ({ method: 'popup', minutes: 5 })) } },
                'reminders.overrides'
            ],
            [{ calendarId: ' ' }, 'calendarId']
        ];
        for (const [change, field] of cases) {
            const error = await failure(bed, 'create-event', { ...kickoff, ...change });
            expect(error.error_type, JSON.stringify(change)).toBe('action_script_failure');
            expect(error.payload, JSON.stringify(change)).toMatchObject({ type: 'invalid_input', field });
            expect(error.calls, JSON.stringify(change)).toBe(0);
        }
        // Input that does not match the model at all is refused before the script runs, as Nango's validation does.
        const shapeless = await failure(bed, 'create-event', { summary: 42, start: 'tomorrow' });
        expect(shapeless.error_type).toBe('invalid_action_input');
        expect(bed.sim.core.meter.totals().calls).toBe(0);
    });
});

describe('update-event', () => {
    async function seeded(bed: Bed) {
        return create(bed, { ...kickoff, addGoogleMeet: false, sendUpdates: 'none' });
    }

    it('patches only the given fields and returns the event with its new etag', async () => {
        const bed = testBed();
        const made = await seeded(bed);
        const result = await bed.action('update-event', { eventId: made.eventId, location: 'Room 9', sendUpdates: 'all' });
        expect(result.status).toBe('success');
        const output = (result as { output: GoogleCalendarEvent }).output;
        expect(output).toMatchObject({ ...made, location: 'Room 9', etag: output.etag, updated: output.updated });
        expect(output.etag).not.toBe(made.etag);
        expect(bed.sim.store.notifications.at(-1)).toMatchObject({ eventId: made.eventId, kind: 'update' });
    });

    it('checks a new end against the stored start, and adds a Meet link on request', async () => {
        const bed = testBed();
        const made = await seeded(bed);
        const early = await failure(bed, 'update-event', { eventId: made.eventId, end: { dateTime: '2026-02-03T09:00:00+01:00' } });
        expect(early.payload).toMatchObject({ type: 'invalid_input', field: 'end' });
        const later = await bed.action('update-event', {
            eventId: made.eventId,
            end: { dateTime: '2026-02-03T11:00:00+01:00' },
            addGoogleMeet: true
        });
        expect(later.status).toBe('success');
        expect((later as { output: GoogleCalendarEvent }).output).toMatchObject({
            end: { dateTime: '2026-02-03T11:00:00+01:00' },
            conferenceLink: expect.stringMatching(/^https:\/\/meet\.google\.com\//)
        });
    });

    it('applies a change made at the etag the caller read, and answers conflict with the current etag when it is stale', async () => {
        const bed = testBed();
        const made = await seeded(bed);
        const fresh = await bed.action('update-event', { eventId: made.eventId, etag: made.etag, summary: 'Kickoff (confirmed)' });
        expect(fresh.status).toBe('success');
        const current = (fresh as { output: GoogleCalendarEvent }).output.etag;
        const stale = await failure(bed, 'update-event', { eventId: made.eventId, etag: made.etag, summary: 'Kickoff (moved)' });
        expect(stale.payload).toMatchObject({ type: 'conflict', currentEtag: current });
        expect(storedEvents(bed, 'Kickoff (confirmed)')).toHaveLength(1);
    });

    it('answers conflict when someone changes the event between the read and the write (412)', async () => {
        const bed = testBed();
        const made = await seeded(bed);
        const calendar = bed.sim.calendar('primary');
        server.use(
            http.patch(
                `${CALENDAR_BASE}/calendars/:calendarId/events/:eventId`,
                () => {
                    const event = bed.sim.store.stored(calendar, made.eventId)!;
                    event.description = 'edited by a colleague';
                    bed.sim.store.touch(calendar, event);
                },
                { once: true }
            )
        );
        const error = await failure(bed, 'update-event', { eventId: made.eventId, etag: made.etag, summary: 'Mine' });
        expect(error.payload).toMatchObject({ type: 'conflict', currentEtag: `"${bed.sim.store.stored(calendar, made.eventId)!.etag}"` });
        expect(bed.sim.store.stored(calendar, made.eventId)!.summary).toBe(kickoff.summary);
    });

    it('recognises its own change when a patch was applied but its answer lost (the retry meets 412)', async () => {
        const bed = testBed();
        const made = await seeded(bed);
        bed.sim.core.faults.inject('events.patch', { kind: 'drop-response' });
        const result = await bed.action('update-event', { eventId: made.eventId, etag: made.etag, summary: 'Kickoff, final' });
        expect(result.status).toBe('success');
        expect((result as { output: GoogleCalendarEvent }).output.summary).toBe('Kickoff, final');
        expect(bed.sim.core.meter.get('events.patch').calls).toBe(2);
    });

    it('gives clear errors for a missing event and a cancelled one', async () => {
        const bed = testBed();
        const missing = await failure(bed, 'update-event', { eventId: 'nosuchevent1', summary: 'x' });
        expect(missing.payload).toMatchObject({ type: 'not_found' });
        const made = await seeded(bed);
        bed.sim.store.cancel(bed.sim.calendar('primary'), bed.sim.store.stored(bed.sim.calendar('primary'), made.eventId)!);
        const cancelled = await failure(bed, 'update-event', { eventId: made.eventId, summary: 'x' });
        expect(cancelled.payload).toMatchObject({ type: 'cancelled' });
        const badEmail = await failure(bed, 'update-event', { eventId: made.eventId, attendees: [{ email: 'nope' }] });
        expect(badEmail.payload).toMatchObject({ type: 'invalid_input', field: 'attendees[0].email' });
    });

    it('changes one instance of a series by its instance id, which the sync then stores as an exception', async () => {
        const bed = testBed();
        await bed.sync();
        const calendar = bed.sim.calendar('primary');
        const master = calendar.events.find((e) => e.recurrence && e.status === 'confirmed' && !e.start.allDay)!;
        const [at] = bed.sim.store
            .instanceStarts(calendar, master, bed.clock.now(), bed.clock.now() + 90 * 86_400_000)
            .filter((start) => !bed.sim.store.stored(calendar, bed.sim.store.instance(master, start).id));
        const instanceId = bed.sim.store.instance(master, at!).id;
        const refused = await failure(bed, 'update-event', { eventId: instanceId, recurrence: ['RRULE:FREQ=DAILY'] });
        expect(refused.payload).toMatchObject({ type: 'invalid_input', field: 'recurrence' });
        const result = await bed.action('update-event', { eventId: instanceId, summary: 'Only this week: remote' });
        expect(result.status).toBe('success');
        expect((result as { output: GoogleCalendarEvent }).output).toMatchObject({ eventId: instanceId, recurringEventId: master.id });
        await bed.sync();
        expectInSync(bed);
    });
});
