import type { calendar_v3 } from '@googleapis/calendar';
import fc from 'fast-check';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import { SeenIds } from '../../nango-integrations/google-calendar/cache.js';
import {
    assertRoomFor,
    newProgress,
    readState,
    StateTooLargeError,
    writeState
} from '../../nango-integrations/google-calendar/calendar-state.js';
import { deriveEventId, eventBody, meetRequestId, timeIssues } from '../../nango-integrations/google-calendar/event-body.js';
import { eventRecordId, toGoogleCalendarEvent } from '../../nango-integrations/google-calendar/mappers.js';
import { eventPath, eventsPath } from '../../nango-integrations/google-calendar/paths.js';
import { CalendarEventAttendee, CalendarEventResource } from '../../nango-integrations/google-calendar/schemas.js';
import { checkRecurrence, isValidTimeZone, resolveTime, type Issue } from '../../nango-integrations/google-calendar/validate.js';
import { GoogleCalendarEvent, type CreateEventInput } from '../../models.js';
import { calendarRecordId } from '../../simulators/calendar/index.js';
import { parseRecurrence } from '../../simulators/calendar/recurrence.js';
import { checkpointProblems } from './checkpoint-limits.js';

describe('paths', () => {
    it('encodes every segment, so # and @ in calendar ids and _ in instance ids survive', () => {
        expect(eventsPath('en.usa#holiday@group.v.calendar.google.com')).toBe(
            '/calendar/v3/calendars/en.usa%23holiday%40group.v.calendar.google.com/events'
        );
        expect(eventPath('a/b', 'abc123_20260115T090000Z')).toBe('/calendar/v3/calendars/a%2Fb/events/abc123_20260115T090000Z');
        expect(new URL(`https://www.googleapis.com${eventsPath('x#y')}`).hash).toBe('');
    });
});

describe('toGoogleCalendarEvent', () => {
    const timed = CalendarEventResource.parse({
        id: 'evt12345',
        etag: '"3181161784712000"',
        status: 'confirmed',
        summary: 'Design review',
        start: { dateTime: '2026-02-03T09:30:00+01:00', timeZone: 'Europe/Paris' },
        end: { dateTime: '2026-02-03T10:30:00+01:00', timeZone: 'Europe/Paris' },
        organizer: { email: 'alex@example.com', displayName: 'Alex', self: true },
        attendees: [
            { email: 'jamie@example.com', responseStatus: 'accepted', optional: true },
            { displayName: 'A room without email', resource: true },
            { email: 'alex@example.com', self: true, organizer: true, responseStatus: 'accepted' }
        ],
        conferenceData: {
            entryPoints: [
                { entryPointType: 'phone', uri: 'tel:+1' },
                { entryPointType: 'video', uri: 'https://zoom.us/j/1' }
            ]
        },
        htmlLink: 'https://www.google.com/calendar/event?eid=x',
        created: '2026-01-01T00:00:00.000Z',
        updated: '2026-01-02T00:00:00.000Z'
    });

    it('maps a timed event, attendees without an email skipped, a non-Meet video link as the conference link', () => {
        const record = toGoogleCalendarEvent('alex@example.com', timed);
        expect(GoogleCalendarEvent.parse(record)).toEqual(record);
        expect(record).toMatchObject({
            id: 'alex@example.com/evt12345',
            isAllDay: false,
            recurrence: [],
            recurringEventId: null,
            organizer: { email: 'alex@example.com', name: 'Alex' },
            conferenceLink: 'https://zoom.us/j/1',
            description: null
        });
        expect(record.attendees).toEqual([
            {
                email: 'jamie@example.com',
                name: null,
                responseStatus: 'accepted',
                optional: true,
                organizer: false,
                self: false,
                comment: null
            },
            {
                email: 'alex@example.com',
                name: null,
                responseStatus: 'accepted',
                optional: false,
                organizer: true,
                self: true,
                comment: null
            }
        ]);
    });

    it('maps a cancelled instance, of which Google only guarantees id, recurringEventId and originalStartTime', () => {
        const minimal = CalendarEventResource.parse({
            id: 'series1_20260310',
            status: 'cancelled',
            etag: '"1"',
            recurringEventId: 'series1',
            originalStartTime: { date: '2026-03-10' }
        });
        const record = toGoogleCalendarEvent('c@group.calendar.google.com', minimal);
        expect(GoogleCalendarEvent.parse(record)).toEqual(record);
        expect(record).toMatchObject({
            status: 'cancelled',
            start: null,
            end: null,
            summary: null,
            isAllDay: true,
            originalStartTime: { date: '2026-03-10' }
        });
    });

    /** An out-of-office block as Google answers it, typed by Google's own client so a misnamed field fails to compile. */
    const outOfOffice: calendar_v3.Schema$Event = {
        id: 'ooo12345',
        etag: '"7"',
        status: 'confirmed',
        summary: 'Out of office',
        start: { dateTime: '2026-02-09T15:00:00+01:00', timeZone: 'America/New_York' },
        end: { dateTime: '2026-02-13T23:00:00+01:00', timeZone: 'America/New_York' },
        creator: { email: 'assistant@example.com', displayName: 'Sam' },
        organizer: { email: 'alex@example.com', self: true },
        iCalUID: 'ooo12345@google.com',
        sequence: 2,
        eventType: 'outOfOffice',
        outOfOfficeProperties: { autoDeclineMode: 'declineAllConflictingInvitations', declineMessage: 'Back on the 16th' },
        transparency: 'opaque',
        visibility: 'private',
        reminders: { useDefault: false, overrides: [{ method: 'popup', minutes: 30 }, { method: 'email' }] },
        attachments: [
            { fileUrl: 'https://drive.google.com/open?id=f1', title: 'Handover', mimeType: 'application/pdf', fileId: 'f1' },
            { title: 'no url' }
        ],
        extendedProperties: { private: { crmId: '42' }, shared: { ticket: 'OPS-7' } },
        attendees: [{ email: 'jamie@example.com', responseStatus: 'declined', comment: 'On leave too' }],
        conferenceData: {
            conferenceSolution: { key: { type: 'addOn' }, name: 'Zoom Meeting' },
            entryPoints: [{ entryPointType: 'video', uri: 'https://zoom.us/j/987' }]
        }
    };

    it('maps creator, iCalUID, sequence, eventType, transparency, visibility, reminders, attachments, properties, comments', () => {
        const record = toGoogleCalendarEvent('alex@example.com', CalendarEventResource.parse(outOfOffice));
        expect(GoogleCalendarEvent.parse(record)).toEqual(record);
        expect(record).toMatchObject({
            creator: { email: 'assistant@example.com', name: 'Sam' },
            organizer: { email: 'alex@example.com', name: null },
            iCalUID: 'ooo12345@google.com',
            sequence: 2,
            eventType: 'outOfOffice',
            outOfOffice: { autoDeclineMode: 'declineAllConflictingInvitations', declineMessage: 'Back on the 16th' },
            transparency: 'opaque',
            visibility: 'private',
            reminders: { useDefault: false, overrides: [{ method: 'popup', minutes: 30 }] },
            extendedProperties: { private: { crmId: '42' }, shared: { ticket: 'OPS-7' } },
            conferenceLink: 'https://zoom.us/j/987',
            // Offsets are the calendar's, the zone the event's: both kept as Google sent them.
            start: { dateTime: '2026-02-09T15:00:00+01:00', timeZone: 'America/New_York', date: null }
        });
        expect(record.attachments).toEqual([
            { fileUrl: 'https://drive.google.com/open?id=f1', title: 'Handover', mimeType: 'application/pdf', fileId: 'f1', iconLink: null }
        ]);
        expect(record.attendees[0]).toMatchObject({ email: 'jamie@example.com', comment: 'On leave too' });
    });

    it("fills Google's documented defaults for an event sent without them, and leaves a bare cancelled id's fields null", () => {
        const plain = toGoogleCalendarEvent('alex@example.com', timed);
        expect(plain).toMatchObject({
            transparency: 'opaque',
            visibility: 'default',
            eventType: null,
            creator: null,
            reminders: null,
            attachments: [],
            extendedProperties: null,
            outOfOffice: null
        });
        expect(plain.attendees[0]!.comment).toBeNull();
        const bare = toGoogleCalendarEvent('alex@example.com', CalendarEventResource.parse({ id: 'gone12345', status: 'cancelled' }));
        expect(bare).toMatchObject({ transparency: null, visibility: null, eventType: null, iCalUID: null, sequence: null });
        expect(GoogleCalendarEvent.parse(bare)).toEqual(bare);
    });

    it('gives a type it does not know null rather than calling it a meeting, and refuses nothing Google may send', () => {
        const record = toGoogleCalendarEvent(
            'a@example.com',
            CalendarEventResource.parse({ ...outOfOffice, eventType: 'appointmentSlot' })
        );
        expect(record.eventType).toBeNull();
        for (const eventType of ['default', 'outOfOffice', 'focusTime', 'workingLocation', 'birthday', 'fromGmail']) {
            expect(toGoogleCalendarEvent('a@example.com', CalendarEventResource.parse({ ...outOfOffice, eventType })).eventType).toBe(
                eventType
            );
        }
        // Every value Google's own type allows for these fields, the provider schema accepts.
        type Added = 'creator' | 'iCalUID' | 'sequence' | 'eventType' | 'transparency' | 'visibility' | 'reminders' | 'attachments';
        expectTypeOf<Pick<calendar_v3.Schema$Event, Added | 'extendedProperties' | 'outOfOfficeProperties'>>().toExtend<
            Pick<z.input<typeof CalendarEventResource>, Added | 'extendedProperties' | 'outOfOfficeProperties'>
        >();
        expectTypeOf<calendar_v3.Schema$EventAttendee>().toExtend<z.input<typeof CalendarEventAttendee>>();
    });

    it('keeps record ids within 255 characters, the same way the simulator names them', () => {
        const long = 'a'.repeat(1000);
        expect(eventRecordId('alex@example.com', long).length).toBeLessThanOrEqual(255);
        expect(eventRecordId('alex@example.com', long)).toBe(calendarRecordId('alex@example.com', long));
        expect(eventRecordId('alex@example.com', 'short1')).toBe(calendarRecordId('alex@example.com', 'short1'));
        fc.assert(
            fc.property(
                fc.stringMatching(/^[a-v0-9]{5,400}$/),
                fc.constantFrom('primary@example.com', 'en.usa#holiday@group.v.calendar.google.com'),
                (id, calendar) => {
                    expect(eventRecordId(calendar, id)).toBe(calendarRecordId(calendar, id));
                }
            )
        );
    });
});

describe('validation', () => {
    it('knows IANA zones and refuses made-up ones', () => {
        expect(isValidTimeZone('Europe/Paris')).toBe(true);
        expect(isValidTimeZone('America/Argentina/Buenos_Aires')).toBe(true);
        expect(isValidTimeZone('UTC')).toBe(true);
        expect(isValidTimeZone('Mars/Olympus')).toBe(false);
        expect(isValidTimeZone('')).toBe(false);
    });

    it('resolves wall times in a zone to instants, DST included, and refuses malformed times', () => {
        const issues: Issue[] = [];
        expect(resolveTime({ dateTime: '2026-07-01T10:00:00', timeZone: 'Europe/Paris' }, 'start', issues)).toMatchObject({
            ms: Date.UTC(2026, 6, 1, 8)
        });
        expect(resolveTime({ dateTime: '2026-01-15T10:00:00', timeZone: 'Europe/Paris' }, 'start', issues)).toMatchObject({
            ms: Date.UTC(2026, 0, 15, 9)
        });
        expect(resolveTime({ dateTime: '2026-01-15T10:00:00-05:00' }, 'start', issues)).toMatchObject({ ms: Date.UTC(2026, 0, 15, 15) });
        expect(resolveTime({ date: '2026-02-28' }, 'start', issues)).toEqual({ allDay: true, ms: Date.UTC(2026, 1, 28) });
        expect(issues).toEqual([]);
        for (const bad of [
            { date: '2026-02-29' },
            { dateTime: '2026-01-15T25:00:00Z' },
            { dateTime: '2026-01-15 10:00' },
            { dateTime: '2026-01-15T10:00:00' }
        ]) {
            const found: Issue[] = [];
            expect(resolveTime(bad, 'start', found)).toBeNull();
            expect(found).toHaveLength(1);
        }
    });

    it('wants end after start, both of one kind, and a zone for recurring timed events', () => {
        expect(timeIssues({ date: '2026-03-01' }, { date: '2026-03-02' }, true)).toEqual([]);
        expect(timeIssues({ dateTime: '2026-03-01T10:00:00Z' }, { dateTime: '2026-03-01T10:00:00Z' }, false)).toEqual([]);
        expect(timeIssues({ dateTime: '2026-03-01T10:00:00Z' }, { dateTime: '2026-03-01T09:59:59Z' }, false)[0]?.field).toBe('end');
        expect(timeIssues({ dateTime: '2026-03-01T10:00:00Z' }, { date: '2026-03-02' }, false)[0]?.field).toBe('end');
        expect(timeIssues({ dateTime: '2026-03-01T10:00:00Z' }, { dateTime: '2026-03-01T11:00:00Z' }, true).map((i) => i.field)).toEqual([
            'start.timeZone',
            'end.timeZone'
        ]);
    });

    it('checks RRULE, EXRULE, RDATE and EXDATE syntax', () => {
        const valid = [
            'RRULE:FREQ=WEEKLY;BYDAY=MO,WE,FR',
            'RRULE:FREQ=MONTHLY;BYDAY=-1FR;UNTIL=20261231',
            'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU;INTERVAL=1;WKST=SU',
            'RRULE:FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1',
            'EXDATE;TZID=Europe/Paris:20260309T100000,20260316T100000',
            'EXDATE;VALUE=DATE:20260310',
            'RDATE:20260401T090000Z'
        ];
        const invalid = [
            'FREQ=DAILY',
            'RRULE:INTERVAL=2',
            'RRULE:FREQ=FORTNIGHTLY',
            'RRULE:FREQ=DAILY;COUNT=0',
            'RRULE:FREQ=DAILY;COUNT=2;UNTIL=20260101',
            'RRULE:FREQ=DAILY;FREQ=WEEKLY',
            'RRULE:FREQ=WEEKLY;BYDAY=MON',
            'RRULE;X=1:FREQ=DAILY',
            'EXDATE:2026-03-10',
            'DTSTART:20260101T000000Z'
        ];
        const issues: Issue[] = [];
        checkRecurrence(valid, issues);
        expect(issues).toEqual([]);
        for (const line of invalid) {
            const found: Issue[] = [];
            checkRecurrence([line], found);
            expect(found, line).toHaveLength(1);
        }
    });

    it('accepts every rule the simulated Calendar accepts, and the other way round, for the parts both know', () => {
        const part = fc.oneof(
            fc.integer({ min: 1, max: 12 }).map((n) => `INTERVAL=${n}`),
            fc.subarray(['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'], { minLength: 1 }).map((days) => `BYDAY=${days.join(',')}`),
            fc.subarray([1, 2, 6, 12], { minLength: 1 }).map((months) => `BYMONTH=${months.join(',')}`),
            fc.constantFrom('BYMONTHDAY=15', 'BYMONTHDAY=-1', 'WKST=SU')
        );
        const rule = fc.record({
            freq: fc.constantFrom('DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY'),
            parts: fc.uniqueArray(part, { maxLength: 3, selector: (p) => p.split('=')[0] }),
            end: fc.constantFrom('', ';COUNT=5', ';UNTIL=20261231T000000Z', ';COUNT=5;UNTIL=20261231')
        });
        fc.assert(
            fc.property(rule, ({ freq, parts, end }) => {
                const line = `RRULE:FREQ=${freq}${parts.map((p) => `;${p}`).join('')}${end}`;
                const issues: Issue[] = [];
                checkRecurrence([line], issues);
                const simulated = parseRecurrence([line], false, 'Europe/Paris');
                expect(issues.length === 0, line).toBe(simulated.ok);
            })
        );
    });
});

describe('create bodies and ids', () => {
    const input: CreateEventInput = {
        summary: 'Kickoff',
        start: { dateTime: '2026-02-03T09:30:00', timeZone: 'Europe/Paris' },
        end: { dateTime: '2026-02-03T10:30:00', timeZone: 'Europe/Paris' },
        attendees: [{ email: 'B@example.com' }, { email: 'a@example.com' }]
    };

    it('derives the same base32hex id from the same input, and another from a different one', () => {
        const id = deriveEventId(input);
        expect(id).toMatch(/^[a-v0-9]{32}$/);
        expect(deriveEventId({ ...input, attendees: [{ email: 'a@example.com' }, { email: 'b@example.com' }] })).toBe(id);
        expect(deriveEventId({ ...input, summary: 'Kickoff 2' })).not.toBe(id);
        expect(deriveEventId({ ...input, calendarId: 'team@group.calendar.google.com' })).not.toBe(id);
        expect(deriveEventId({ ...input, start: { ...input.start, dateTime: '2026-02-03T09:31:00' } })).not.toBe(id);
    });

    it('sends only the given fields, a Meet request tied to the event id, and clears the other kind of time', () => {
        expect(eventBody({ location: 'Room 1' }, 'evt12345')).toEqual({ location: 'Room 1' });
        expect(eventBody({ addGoogleMeet: true, start: { date: '2026-03-01' } }, 'evt12345')).toEqual({
            start: { date: '2026-03-01', dateTime: null, timeZone: null },
            conferenceData: { createRequest: { requestId: meetRequestId('evt12345'), conferenceSolutionKey: { type: 'hangoutsMeet' } } }
        });
        expect(eventBody({ end: { dateTime: '2026-03-01T10:00:00Z' } }, 'e').end).toEqual({ dateTime: '2026-03-01T10:00:00Z', date: null });
    });
});

describe('per-calendar state in the checkpoint', () => {
    it('round-trips, and reads a missing, garbled or foreign checkpoint as lost', () => {
        const state = { calendars: [newProgress('alex@example.com', 'primary', 'full')] };
        expect(readState(writeState(state))).toEqual(state);
        expect(readState(null)).toBeNull();
        expect(readState({ state: '{not json' })).toBeNull();
        expect(readState({ state: JSON.stringify({ v: 3, calendars: [] }) })).toBeNull();
        expect(readState({ syncToken: 'x', calendarId: 'primary' })).toBeNull();
        // A phase that is not one of the three is not read as some other phase: the state is unreadable.
        const typo = writeState(state)['state']!.replace('"f"', '"incremantal"');
        expect(readState({ state: typo })).toBeNull();
        expect(readState({ state: typo.replace('"incremantal"', '"i"') })?.calendars[0]?.phase).toBe('incremental');
    });

    it('holds 300 calendars with ids of the longest form and 45-character sync tokens in a checkpoint Nango accepts', () => {
        const calendars = Array.from({ length: 300 }, (_, i) => ({
            ...newProgress(`c_${i.toString(16).padStart(64, '0')}@group.calendar.google.com`, 'x', 'full'),
            phase: 'incremental' as const,
            syncToken: `C${'x'.repeat(44)}`,
            timeMin: '2025-01-15T12:00:00.000Z'
        }));
        for (const calendar of calendars) calendar.configured = calendar.calendarId;
        const checkpoint = writeState({ calendars });
        expect(checkpointProblems(checkpoint)).toEqual([]);
        expect(readState(checkpoint)).toEqual({ calendars });
    });

    it('refuses, naming the remedy, a state Nango could not store', () => {
        const calendars = Array.from({ length: 600 }, (_, i) =>
            newProgress(`c_${i.toString(16).padStart(64, '0')}@group.calendar.google.com`, 'x', 'full')
        );
        expect(() => assertRoomFor({ calendars })).toThrow(StateTooLargeError);
        expect(() => assertRoomFor({ calendars })).toThrow(/600 calendars.*calendarIds instead of allCalendars/);
        const tokens = calendars.map((calendar) => ({ ...calendar, syncToken: 'C'.repeat(40) }));
        expect(() => writeState({ calendars: tokens })).toThrow(StateTooLargeError);
    });

    it('reads a state of the one-field layout (v1), its series to clean up as a sweep to do', () => {
        const { sweep: _sweep, ...older } = newProgress('alex@example.com', 'primary', 'full');
        expect(readState({ state: JSON.stringify({ v: 1, calendars: [older] }) })?.calendars[0]).toEqual({ ...older, sweep: false });
        const pending = { v: 1, calendars: [{ ...older, seriesCleanup: ['abc123'] }] };
        expect(readState({ state: JSON.stringify(pending) })?.calendars[0]?.sweep).toBe(true);
    });
});

describe('SeenIds', () => {
    it('remembers ids compactly, without false positives on a large sample', () => {
        const seen = new SeenIds();
        for (let i = 0; i < 20_000; i += 1) seen.add(`primary@example.com/event${i}`);
        expect(seen.size).toBe(20_000);
        for (let i = 0; i < 20_000; i += 97) expect(seen.has(`primary@example.com/event${i}`)).toBe(true);
        for (let i = 20_000; i < 60_000; i += 1) if (seen.has(`primary@example.com/event${i}`)) throw new Error(`false positive ${i}`);
    });
});
