import { calendarErrors } from './errors.js';
import type { EventStatus, EventTime, StoredAttendee, StoredEvent, StoredReminders } from './model.js';
import { parseRecurrence } from './recurrence.js';
import { isValidTimeZone, parseDate, parseDateTime, wallToInstant } from './time.js';

/**
 * Reads an events.insert / events.patch body the way Calendar does: unknown and read-only fields are ignored,
 * malformed values answer 400 with Calendar's own messages. Only the fields present in the body are returned,
 * which is what PATCH needs; insert then checks that start and end are there.
 */

export interface EventChanges {
    summary?: string | undefined;
    description?: string | undefined;
    location?: string | undefined;
    start?: EventTime;
    end?: EventTime;
    recurrence?: string[] | undefined;
    attendees?: StoredAttendee[] | undefined;
    reminders?: StoredReminders | undefined;
    status?: EventStatus;
    transparency?: 'opaque' | 'transparent';
    visibility?: 'default' | 'public' | 'private' | 'confidential';
    /** A conference to create (only honoured with conferenceDataVersion=1). */
    conferenceRequest?: string;
    /** `conferenceData: null` with conferenceDataVersion=1 removes the conference. */
    removeConference?: boolean;
}

const EMAIL = /^[^\s@,;<>()]+@[^\s@,;<>()]+\.[^\s@,;<>()]+$/;
export const EVENT_ID = /^[a-v0-9]{5,1024}$/;

export function readEventChanges(body: unknown, conferenceDataVersion: number): EventChanges {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw calendarErrors.badRequest();
    const input = body as Record<string, unknown>;
    const changes: EventChanges = {};
    for (const key of ['summary', 'description', 'location'] as const) {
        if (!(key in input)) continue;
        const value = input[key];
        if (value !== null && typeof value !== 'string') throw calendarErrors.badRequest();
        changes[key] = value ?? undefined;
    }
    if ('start' in input) changes.start = readTime(input['start'], 'start');
    if ('end' in input) changes.end = readTime(input['end'], 'end');
    if ('recurrence' in input) {
        const lines = input['recurrence'];
        if (lines !== null && (!Array.isArray(lines) || lines.some((line) => typeof line !== 'string'))) throw calendarErrors.badRequest();
        changes.recurrence = lines && (lines as string[]).length > 0 ? [...(lines as string[])] : undefined;
    }
    if ('attendees' in input) changes.attendees = readAttendees(input['attendees']);
    if ('reminders' in input) changes.reminders = readReminders(input['reminders']);
    if ('status' in input) {
        const status = input['status'];
        if (status !== 'confirmed' && status !== 'tentative' && status !== 'cancelled')
            throw calendarErrors.invalid('Invalid value for: status');
        changes.status = status;
    }
    if ('transparency' in input) {
        const value = input['transparency'];
        if (value !== 'opaque' && value !== 'transparent') throw calendarErrors.invalid('Invalid value for: transparency');
        changes.transparency = value;
    }
    if ('visibility' in input) {
        const value = input['visibility'];
        if (value !== 'default' && value !== 'public' && value !== 'private' && value !== 'confidential') {
            throw calendarErrors.invalid('Invalid value for: visibility');
        }
        changes.visibility = value;
    }
    // Version 0 "assumes no conference data support and ignores conference data in the event's body".
    if (conferenceDataVersion >= 1 && 'conferenceData' in input) {
        const data = input['conferenceData'];
        if (data === null) changes.removeConference = true;
        else {
            const request = (data as { createRequest?: { requestId?: unknown; conferenceSolutionKey?: { type?: unknown } } }).createRequest;
            if (request) {
                if (typeof request.requestId !== 'string' || request.requestId.length === 0)
                    throw calendarErrors.invalid('Invalid conference request.');
                const type = request.conferenceSolutionKey?.type;
                if (type !== undefined && type !== 'hangoutsMeet') throw calendarErrors.invalid('Invalid conference type value.');
                changes.conferenceRequest = request.requestId;
            }
        }
    }
    return changes;
}

function readTime(value: unknown, which: 'start' | 'end'): EventTime {
    if (typeof value !== 'object' || value === null) throw calendarErrors.required(`Missing ${which} time.`);
    const time = value as { date?: unknown; dateTime?: unknown; timeZone?: unknown };
    const zone = time.timeZone ?? undefined;
    if (zone !== undefined && (typeof zone !== 'string' || !isValidTimeZone(zone))) {
        throw calendarErrors.invalid(`Invalid time zone definition for ${which} time.`);
    }
    const date = time.date ?? undefined;
    const dateTime = time.dateTime ?? undefined;
    if (date !== undefined && dateTime !== undefined) throw calendarErrors.invalid(`Invalid ${which} time.`);
    if (typeof date === 'string') {
        const ms = parseDate(date);
        if (ms === null) throw calendarErrors.invalid(`Invalid ${which} time.`);
        return { ms, allDay: true };
    }
    if (typeof dateTime === 'string') {
        const parsed = parseDateTime(dateTime);
        if (!parsed) throw calendarErrors.invalid(`Invalid ${which} time.`);
        if (!parsed.hasOffset && zone === undefined) throw calendarErrors.required(`Missing time zone definition for ${which} time.`);
        const ms = parsed.hasOffset ? parsed.ms : wallToInstant(parsed.ms, zone as string);
        return { ms, allDay: false, ...(zone !== undefined ? { timeZone: zone as string } : {}) };
    }
    throw calendarErrors.required(`Missing ${which} time.`);
}

function readAttendees(value: unknown): StoredAttendee[] | undefined {
    if (value === null) return undefined;
    if (!Array.isArray(value)) throw calendarErrors.badRequest();
    return value.map((item: unknown) => {
        const attendee = (item ?? {}) as Record<string, unknown>;
        const email = attendee['email'];
        if (typeof email !== 'string' || !EMAIL.test(email)) throw calendarErrors.invalid('Invalid attendee email.');
        const status = attendee['responseStatus'];
        const responseStatus =
            status === 'declined' || status === 'tentative' || status === 'accepted' || status === 'needsAction' ? status : 'needsAction';
        return {
            email: email.toLowerCase(),
            ...(typeof attendee['displayName'] === 'string' ? { displayName: attendee['displayName'] } : {}),
            ...(attendee['optional'] === true ? { optional: true } : {}),
            responseStatus
        };
    });
}

function readReminders(value: unknown): StoredReminders | undefined {
    if (value === null) return undefined;
    const reminders = value as { useDefault?: unknown; overrides?: unknown };
    const useDefault = reminders.useDefault === true;
    const overrides = reminders.overrides;
    if (overrides === undefined || overrides === null) return { useDefault };
    if (!Array.isArray(overrides)) throw calendarErrors.badRequest();
    if (useDefault && overrides.length > 0)
        throw calendarErrors.invalid('Cannot specify both default reminders and overrides at the same time.');
    if (overrides.length > 5) throw calendarErrors.invalid('The maximum number of override reminders is 5.');
    return {
        useDefault,
        overrides: overrides.map((item: unknown) => {
            const override = (item ?? {}) as { method?: unknown; minutes?: unknown };
            if (override.method !== 'email' && override.method !== 'popup') throw calendarErrors.required('Missing reminder method.');
            const minutes = override.minutes;
            if (typeof minutes !== 'number' || !Number.isInteger(minutes) || minutes < 0 || minutes > 40320) {
                throw calendarErrors.invalid('Invalid reminder minutes value.');
            }
            return { method: override.method, minutes };
        })
    };
}

/** The checks Calendar makes on the event as it will be stored (after a patch is merged). */
export function checkEventShape(event: Pick<StoredEvent, 'start' | 'end' | 'recurrence'>, calendarZone: string): void {
    if (event.start.allDay !== event.end.allDay) {
        throw calendarErrors.invalid('Start and end times must either both be date or both be dateTime.');
    }
    if (event.end.ms < event.start.ms || (event.start.allDay && event.end.ms === event.start.ms)) {
        throw calendarErrors.timeRangeEmpty('end.dateTime');
    }
    if (event.recurrence) {
        if (!event.start.allDay && !event.start.timeZone) throw calendarErrors.required('Missing time zone definition for start time.');
        if (!event.start.allDay && !event.end.timeZone) throw calendarErrors.required('Missing time zone definition for end time.');
        const parsed = parseRecurrence(event.recurrence, event.start.allDay, event.start.timeZone ?? calendarZone);
        if (!parsed.ok) throw calendarErrors.invalid(parsed.message);
    }
}
