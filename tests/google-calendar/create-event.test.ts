import { describe, expect, it } from 'vitest';
import { HOLIDAY_CALENDAR, SEED_USER } from '../../simulators/calendar/index.js';
import { conn, create, expectInSync, failure, kickoff, MODEL, storedEvents, testBed } from './support.js';

describe('create-event', () => {
    it('creates the event with attendees, reminders and a Meet link, in the shape the sync stores', async () => {
        const bed = testBed();
        const output = await create(bed, kickoff);
        expect(output).toMatchObject({
            calendarId: SEED_USER.email,
            status: 'confirmed',
            summary: 'Kickoff with Acme',
            // Google writes the instant with the calendar's offset (New York) and keeps the event's own zone beside it.
            start: { dateTime: '2026-02-03T03:30:00-05:00', timeZone: 'Europe/Paris', date: null },
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

    it('accepts a multi-line description, and dates up to the last year RFC 3339 writes', async () => {
        const bed = testBed();
        const made = await create(bed, { ...kickoff, addGoogleMeet: false, description: 'Scope\n\tTimeline\r\nOwners' });
        expect(made.description).toBe('Scope\n\tTimeline\r\nOwners');
        const late = await create(bed, { summary: 'Far', start: { date: '9999-12-30' }, end: { date: '9999-12-31' } });
        expect(late.start).toMatchObject({ date: '9999-12-30' });
    });

    it('restores a cancelled event with one PATCH: a lost answer fails as outcome_unknown, and calling again returns it', async () => {
        const bed = testBed();
        const input = { ...kickoff, eventId: 'restoreme54321', addGoogleMeet: false };
        const made = await create(bed, input);
        const calendar = bed.sim.calendar('primary');
        bed.sim.store.cancel(calendar, bed.sim.store.stored(calendar, made.eventId)!);
        bed.sim.core.faults.inject('events.patch', { kind: 'drop-response' });
        const lost = await failure(bed, 'create-event', input);
        expect(lost.payload).toMatchObject({ type: 'outcome_unknown', eventId: 'restoreme54321' });
        expect(bed.sim.core.meter.get('events.patch').calls).toBe(1);
        const again = await create(bed, input);
        expect(again).toMatchObject({ eventId: 'restoreme54321', status: 'confirmed', summary: kickoff.summary });
        expect(storedEvents(bed, kickoff.summary)).toHaveLength(1);
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
            [{ calendarId: ' ' }, 'calendarId'],
            [{ calendarId: 'team calendar@group.calendar.google.com' }, 'calendarId'],
            [{ calendarId: 'team\u0000@group.calendar.google.com' }, 'calendarId'],
            [{ eventId: 'abcde/fghij' }, 'eventId'],
            [{ summary: 'Kickoff\u0007' }, 'summary'],
            [{ summary: 'Kickoff\nwith Acme' }, 'summary'],
            [{ location: 'Room\u001b[31m 4' }, 'location'],
            [{ description: 'Scope\u0000timeline' }, 'description'],
            [{ description: 'Scope\u0085' }, 'description'],
            [{ start: { date: '0000-12-31' }, end: { date: '0001-01-01' } }, 'start.date'],
            [{ start: { date: '10000-01-01' }, end: { date: '10000-01-02' } }, 'start.date'],
            [{ end: { dateTime: '2026-02-03T10:30:00+24:00' } }, 'end.dateTime'],
            [{ end: { dateTime: '2026-02-03T10:30:00+05:75' } }, 'end.dateTime']
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
