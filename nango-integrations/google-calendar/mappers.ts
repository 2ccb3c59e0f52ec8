/**
 * Calendar events to the cache model. Pure: no I/O, no `nango`.
 */
import { createHash } from 'crypto';
import {
    CalendarEventType,
    type CalendarAttachment,
    type CalendarAttendee,
    type CalendarEventTime,
    type CalendarExtendedProperties,
    type CalendarReminders,
    type GoogleCalendarEvent
} from '../../models.js';
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
            self: attendee.self === true,
            comment: attendee.comment ?? null
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

function toReminders(event: CalendarEventResource): CalendarReminders | null {
    if (!event.reminders) return null;
    const overrides: CalendarReminders['overrides'] = [];
    for (const reminder of event.reminders.overrides ?? []) {
        if (reminder.method && typeof reminder.minutes === 'number') overrides.push({ method: reminder.method, minutes: reminder.minutes });
    }
    return { useDefault: event.reminders.useDefault === true, overrides };
}

function toAttachments(event: CalendarEventResource): CalendarAttachment[] {
    const out: CalendarAttachment[] = [];
    for (const attachment of event.attachments ?? []) {
        // `fileUrl` is what identifies an attachment (Google requires it to add one); one without is unusable.
        if (!attachment.fileUrl) continue;
        out.push({
            fileUrl: attachment.fileUrl,
            title: attachment.title ?? null,
            mimeType: attachment.mimeType ?? null,
            fileId: attachment.fileId ?? null,
            iconLink: attachment.iconLink ?? null
        });
    }
    return out;
}

function toExtendedProperties(event: CalendarEventResource): CalendarExtendedProperties | null {
    const properties = event.extendedProperties;
    if (!properties) return null;
    return { private: { ...(properties.private ?? {}) }, shared: { ...(properties.shared ?? {}) } };
}

/** A set lookup rather than the enum's safeParse, which allocates a result per event and a ZodError per unknown type. */
const EVENT_TYPES: ReadonlySet<string> = new Set(CalendarEventType.options);

/** A type this model does not know (Google adds types now and then) is null rather than mistaken for a meeting. */
function toEventType(event: CalendarEventResource): GoogleCalendarEvent['eventType'] {
    const type = event.eventType;
    return typeof type === 'string' && EVENT_TYPES.has(type) ? (type as CalendarEventType) : null;
}

function toTransparency(event: CalendarEventResource, hasBody: boolean): GoogleCalendarEvent['transparency'] {
    if (event.transparency === 'opaque' || event.transparency === 'transparent') return event.transparency;
    // "opaque - Default value" (Events resource): an event Google sends with its body but without the field blocks time.
    return hasBody && !event.transparency ? 'opaque' : null;
}

function toVisibility(event: CalendarEventResource, hasBody: boolean): GoogleCalendarEvent['visibility'] {
    const visibility = event.visibility;
    if (visibility === 'default' || visibility === 'public' || visibility === 'private' || visibility === 'confidential') return visibility;
    return hasBody && !visibility ? 'default' : null;
}

/**
 * A cancelled exception of a recurring event may keep only `id`, `recurringEventId` and `originalStartTime` (and an
 * etag), or its whole body on the organizer's calendar: either way `status` says the instance is removed from the
 * series, and fields Google left out come out null.
 */
export function toGoogleCalendarEvent(calendarId: string, event: CalendarEventResource): GoogleCalendarEvent {
    const start = toTime(event.start);
    const originalStartTime = toTime(event.originalStartTime);
    // Defaults stand in for omitted fields only when Google sent the event itself, not a bare cancelled id.
    const hasBody = start !== null;
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
        etag: event.etag ?? null,
        creator: event.creator?.email ? { email: event.creator.email, name: event.creator.displayName ?? null } : null,
        iCalUID: event.iCalUID ?? null,
        sequence: event.sequence ?? null,
        eventType: toEventType(event),
        transparency: toTransparency(event, hasBody),
        visibility: toVisibility(event, hasBody),
        reminders: toReminders(event),
        attachments: toAttachments(event),
        extendedProperties: toExtendedProperties(event),
        outOfOffice: event.outOfOfficeProperties
            ? {
                  autoDeclineMode: event.outOfOfficeProperties.autoDeclineMode ?? null,
                  declineMessage: event.outOfOfficeProperties.declineMessage ?? null
              }
            : null
    };
}
