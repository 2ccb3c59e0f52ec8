/**
 * Calendar events to the cache model. Pure: no I/O, no `nango`.
 */
import { createHash } from 'crypto';
import type { CalendarAttendee, CalendarEventTime, GoogleCalendarEvent } from '../../models.js';
import type { CalendarEventDateTime, CalendarEventResource } from './schemas.js';

/** Nango refuses record ids longer than 255 characters. */
const MAX_RECORD_ID = 255;

/**
 * `<calendarId>/<eventId>`: event ids are unique only within a calendar. Client-chosen event ids may be up to 1024
 * characters, so a pair longer than Nango allows becomes `<calendarId>/~<sha256 of the event id>` (still unique,
 * still stable; `eventId` keeps the real id).
 */
export function eventRecordId(calendarId: string, eventId: string): string {
    const id = `${calendarId}/${eventId}`;
    if (id.length <= MAX_RECORD_ID) return id;
    return `${calendarId}/~${createHash('sha256').update(eventId).digest('hex')}`;
}

function toTime(time: CalendarEventDateTime | null | undefined): CalendarEventTime | null {
    if (!time || (!time.date && !time.dateTime)) return null;
    return { dateTime: time.dateTime ?? null, date: time.date ?? null, timeZone: time.timeZone ?? null };
}

function toAttendees(event: CalendarEventResource): CalendarAttendee[] {
    const out: CalendarAttendee[] = [];
    for (const attendee of event.attendees ?? []) {
        // Google always sends an email for attendees; one without is unusable and skipped.
        if (!attendee.email) continue;
        out.push({
            email: attendee.email,
            name: attendee.displayName ?? null,
            responseStatus: attendee.responseStatus ?? null,
            optional: attendee.optional === true,
            organizer: attendee.organizer === true,
            self: attendee.self === true
        });
    }
    return out;
}

/** The Meet link (`hangoutLink`), else the first video entry point of another conference solution. */
function conferenceLink(event: CalendarEventResource): string | null {
    if (event.hangoutLink) return event.hangoutLink;
    const video = event.conferenceData?.entryPoints?.find((entry) => entry.entryPointType === 'video' && entry.uri);
    return video?.uri ?? null;
}

/**
 * A cancelled exception of a recurring event keeps only `id`, `recurringEventId` and `originalStartTime` (and an
 * etag): its other fields come out null, and `status` says the instance is removed from the series.
 */
export function toGoogleCalendarEvent(calendarId: string, event: CalendarEventResource): GoogleCalendarEvent {
    const start = toTime(event.start);
    const originalStartTime = toTime(event.originalStartTime);
    return {
        id: eventRecordId(calendarId, event.id),
        calendarId,
        eventId: event.id,
        status: event.status ?? 'confirmed',
        summary: event.summary ?? null,
        description: event.description ?? null,
        location: event.location ?? null,
        start,
        end: toTime(event.end),
        isAllDay: Boolean((start ?? originalStartTime)?.date),
        recurrence: event.recurrence ?? [],
        recurringEventId: event.recurringEventId ?? null,
        originalStartTime,
        organizer: event.organizer?.email ? { email: event.organizer.email, name: event.organizer.displayName ?? null } : null,
        attendees: toAttendees(event),
        conferenceLink: conferenceLink(event),
        htmlLink: event.htmlLink ?? null,
        created: event.created ?? null,
        updated: event.updated ?? null,
        etag: event.etag ?? null
    };
}
