/**
 * What create-event and update-event send: the Calendar request body built from the action input (only the fields
 * given, which is what PATCH needs), the event id a create derives from its input, and the input checks both share.
 */
import { createHash } from 'crypto';
import type { calendar_v3 } from '@googleapis/calendar';
import type { CreateEventInput, EventTimeInput, UpdateEventInput } from '../../models.js';
import type { CalendarEventResource } from './schemas.js';
import {
    checkAttendees,
    checkCalendarId,
    checkRange,
    checkRecurrence,
    checkReminders,
    checkText,
    EVENT_ID,
    resolveTime,
    type Issue,
    type ResolvedTime
} from './validate.js';

type EventFields = Omit<UpdateEventInput, 'calendarId' | 'eventId' | 'etag' | 'sendUpdates'>;

const BASE32HEX = '0123456789abcdefghijklmnopqrstuv';

function base32hex(bytes: Uint8Array): string {
    let out = '';
    let buffer = 0;
    let bits = 0;
    for (const byte of bytes) {
        buffer = ((buffer << 8) | byte) & 0xffff;
        bits += 8;
        while (bits >= 5) {
            out += BASE32HEX[(buffer >>> (bits - 5)) & 31];
            bits -= 5;
        }
    }
    return out;
}

/**
 * The id a create uses when the caller gives none: a hash of what defines the event (calendar, title, times,
 * description, place, attendees, recurrence), as 32 base32hex characters. A retried create sends the same id and
 * Calendar answers 409 instead of making a second event. The price: two creates with identical input are the same
 * event; a caller who wants two identical events passes its own `eventId`.
 */
export function deriveEventId(input: CreateEventInput): string {
    const identity = {
        calendarId: input.calendarId ?? 'primary',
        summary: input.summary,
        start: input.start,
        end: input.end,
        description: input.description ?? null,
        location: input.location ?? null,
        attendees: (input.attendees ?? []).map((attendee) => attendee.email.toLowerCase()).sort(),
        recurrence: input.recurrence ?? []
    };
    return base32hex(createHash('sha256').update(JSON.stringify(identity)).digest()).slice(0, 32);
}

/** The Meet createRequest id for an event: the same event asks for the same conference, so a retry makes no second one. */
export function meetRequestId(eventId: string): string {
    return `meet-${eventId}`;
}

/**
 * PATCH merges `start`/`end` into the stored ones, so the other kind of time is cleared with null (a timed event
 * becoming all-day drops its dateTime and time zone). A timed time without `timeZone` keeps the stored zone, which a
 * recurring event repeats in.
 */
function toEventDateTime(time: EventTimeInput): calendar_v3.Schema$EventDateTime {
    if (time.date !== undefined) return { date: time.date, dateTime: null, timeZone: null };
    return { dateTime: time.dateTime ?? null, date: null, ...(time.timeZone !== undefined ? { timeZone: time.timeZone } : {}) };
}

/** The Calendar body for the fields present in `input`; nothing else is sent. */
export function eventBody(input: EventFields, eventId: string): calendar_v3.Schema$Event {
    const body: calendar_v3.Schema$Event = {};
    if (input.summary !== undefined) body.summary = input.summary;
    if (input.description !== undefined) body.description = input.description;
    if (input.location !== undefined) body.location = input.location;
    if (input.start !== undefined) body.start = toEventDateTime(input.start);
    if (input.end !== undefined) body.end = toEventDateTime(input.end);
    if (input.attendees !== undefined) {
        body.attendees = input.attendees.map((attendee) => ({
            email: attendee.email,
            ...(attendee.name !== undefined ? { displayName: attendee.name } : {}),
            ...(attendee.optional !== undefined ? { optional: attendee.optional } : {})
        }));
    }
    if (input.recurrence !== undefined) body.recurrence = input.recurrence;
    if (input.reminders !== undefined) {
        body.reminders = {
            useDefault: input.reminders.useDefault,
            ...(input.reminders.overrides ? { overrides: input.reminders.overrides } : {})
        };
    }
    if (input.addGoogleMeet === true) {
        body.conferenceData = { createRequest: { requestId: meetRequestId(eventId), conferenceSolutionKey: { type: 'hangoutsMeet' } } };
    }
    return body;
}

/** Checks the fields that do not depend on the event as stored: ids, attendees, reminders, recurrence syntax. */
export function fieldIssues(input: EventFields & { eventId?: string | undefined; calendarId?: string | undefined }): Issue[] {
    const issues: Issue[] = [];
    if (input.calendarId !== undefined) checkCalendarId(input.calendarId, issues);
    if (input.summary !== undefined) checkText('summary', input.summary, issues);
    if (input.description !== undefined) checkText('description', input.description, issues);
    if (input.location !== undefined) checkText('location', input.location, issues);
    if (input.eventId !== undefined && !EVENT_ID.test(input.eventId)) {
        issues.push({ field: 'eventId', message: 'event ids are 5 to 1024 characters of lowercase a-v and digits (base32hex)' });
    }
    if (input.attendees) checkAttendees(input.attendees, issues);
    if (input.reminders) checkReminders(input.reminders, issues);
    if (input.recurrence) checkRecurrence(input.recurrence, issues);
    return issues;
}

/** A stored time (as Calendar returns it) as the action input shape, to merge with a partial update. */
export function storedTime(time: CalendarEventResource['start']): EventTimeInput | null {
    if (!time) return null;
    if (time.date) return { date: time.date };
    if (time.dateTime) return { dateTime: time.dateTime, ...(time.timeZone ? { timeZone: time.timeZone } : {}) };
    return null;
}

/** Start and end checked together; recurring timed events need a time zone to repeat in (Calendar refuses them otherwise). */
export function timeIssues(start: EventTimeInput, end: EventTimeInput, recurring: boolean): Issue[] {
    const issues: Issue[] = [];
    const from: ResolvedTime | null = resolveTime(start, 'start', issues);
    const to: ResolvedTime | null = resolveTime(end, 'end', issues);
    if (from && to) checkRange(from, to, issues);
    if (recurring && from && !from.allDay && start.timeZone === undefined) {
        issues.push({ field: 'start.timeZone', message: 'a recurring timed event needs a timeZone to repeat in' });
    }
    if (recurring && to && !to.allDay && end.timeZone === undefined) {
        issues.push({ field: 'end.timeZone', message: 'a recurring timed event needs a timeZone to repeat in' });
    }
    return issues;
}
