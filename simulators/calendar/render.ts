import type { calendar_v3 } from '@googleapis/calendar';
import type { CalendarUser, EventTime, StoredCalendar, StoredEvent } from './model.js';
import { formatDate, formatDateTime, formatTimestamp } from './time.js';

/** Calendar's JSON for events, calendars and list entries, from the simulator's compact records. */

/**
 * `dateTime` carries the offset of the response's zone (the calendar's, or the request's `timeZone`: "Time zone
 * used in the response. The default is the time zone of the calendar", events.list reference), while `timeZone`
 * is the event's own: a Tokyo meeting on a New York calendar comes as `...T19:00:00-05:00` with `Asia/Tokyo`.
 */
export function renderTime(time: EventTime, responseZone: string): calendar_v3.Schema$EventDateTime {
    if (time.allDay) return { date: formatDate(time.ms) };
    return { dateTime: formatDateTime(time.ms, responseZone), ...(time.timeZone ? { timeZone: time.timeZone } : {}) };
}

export function renderEtag(etag: number): string {
    return `"${etag}"`;
}

export function htmlLink(calendarId: string, eventId: string): string {
    return `https://www.google.com/calendar/event?eid=${Buffer.from(`${eventId} ${calendarId}`).toString('base64url')}`;
}

export function meetUrl(code: string): string {
    return `https://meet.google.com/${code}`;
}

function organizerSelf(event: StoredEvent, calendar: StoredCalendar, user: CalendarUser): boolean {
    return event.organizer.email === calendar.id || event.organizer.email === user.email;
}

/**
 * A deleted event: "Deleted events are only guaranteed to have the id field populated"; cancelled exceptions also
 * carry `recurringEventId` and `originalStartTime`. "On the organizer's calendar, cancelled events continue to
 * expose event details (summary, location, etc.) so that they can be restored (undeleted) ... However,
 * incremental sync requests with showDeleted set to false will not return these details"
 * (https://developers.google.com/workspace/calendar/api/v3/reference/events#status). `details` says whether this
 * request is one that may show them.
 */
export function renderCancelled(
    event: StoredEvent,
    calendar: StoredCalendar,
    user: CalendarUser,
    details: boolean,
    responseZone = calendar.timeZone
): calendar_v3.Schema$Event {
    if (details && organizerSelf(event, calendar, user)) return renderEvent(event, calendar, user, responseZone);
    return {
        kind: 'calendar#event',
        etag: renderEtag(event.etag),
        id: event.id,
        status: 'cancelled',
        ...(event.recurringEventId && event.originalStart
            ? { recurringEventId: event.recurringEventId, originalStartTime: renderTime(event.originalStart, responseZone) }
            : {})
    };
}

export function renderEvent(
    event: StoredEvent,
    calendar: StoredCalendar,
    user: CalendarUser,
    responseZone = calendar.timeZone
): calendar_v3.Schema$Event {
    const iCalId = event.recurringEventId ?? event.id;
    const out: calendar_v3.Schema$Event = {
        kind: 'calendar#event',
        etag: renderEtag(event.etag),
        id: event.id,
        status: event.status,
        htmlLink: htmlLink(calendar.id, event.id),
        created: formatTimestamp(event.created),
        updated: formatTimestamp(event.updated),
        ...(event.summary !== undefined ? { summary: event.summary } : {}),
        ...(event.description !== undefined ? { description: event.description } : {}),
        ...(event.location !== undefined ? { location: event.location } : {}),
        creator: { email: event.creator, ...(event.creator === user.email ? { self: true } : {}) },
        organizer: {
            email: event.organizer.email,
            ...(event.organizer.displayName ? { displayName: event.organizer.displayName } : {}),
            ...(organizerSelf(event, calendar, user) ? { self: true } : {})
        },
        start: renderTime(event.start, responseZone),
        end: renderTime(event.end, responseZone),
        ...(event.recurrence ? { recurrence: [...event.recurrence] } : {}),
        ...(event.recurringEventId ? { recurringEventId: event.recurringEventId } : {}),
        ...(event.originalStart ? { originalStartTime: renderTime(event.originalStart, responseZone) } : {}),
        ...(event.transparency ? { transparency: event.transparency } : {}),
        ...(event.visibility ? { visibility: event.visibility } : {}),
        iCalUID: `${iCalId}@google.com`,
        sequence: event.sequence,
        eventType: event.eventType ?? 'default'
    };
    if (event.eventType === 'outOfOffice' && event.outOfOffice) {
        out.outOfOfficeProperties = {
            autoDeclineMode: event.outOfOffice.autoDeclineMode,
            ...(event.outOfOffice.declineMessage !== undefined ? { declineMessage: event.outOfOffice.declineMessage } : {})
        };
    }
    if (event.eventType === 'focusTime') {
        out.focusTimeProperties = { autoDeclineMode: 'declineOnlyNewConflictingInvitations', chatStatus: 'doNotDisturb' };
    }
    if (event.eventType === 'birthday') out.birthdayProperties = { type: 'birthday' };
    if (event.attachments && event.attachments.length > 0) out.attachments = event.attachments.map((attachment) => ({ ...attachment }));
    if (event.extendedProperties) {
        out.extendedProperties = {
            ...(event.extendedProperties.private ? { private: { ...event.extendedProperties.private } } : {}),
            ...(event.extendedProperties.shared ? { shared: { ...event.extendedProperties.shared } } : {})
        };
    }
    if (event.attendees && event.attendees.length > 0) {
        out.attendees = event.attendees.map((attendee) => ({
            email: attendee.email,
            ...(attendee.displayName ? { displayName: attendee.displayName } : {}),
            ...(attendee.organizer ? { organizer: true } : {}),
            ...(attendee.self || attendee.email === user.email ? { self: true } : {}),
            ...(attendee.optional ? { optional: true } : {}),
            responseStatus: attendee.responseStatus,
            ...(attendee.comment !== undefined ? { comment: attendee.comment } : {})
        }));
    }
    if (event.conference) {
        const uri = meetUrl(event.conference.code);
        out.hangoutLink = uri;
        out.conferenceData = {
            createRequest: {
                requestId: event.conference.requestId,
                conferenceSolutionKey: { type: 'hangoutsMeet' },
                status: { statusCode: 'success' }
            },
            entryPoints: [{ entryPointType: 'video', uri, label: uri.replace('https://', '') }],
            conferenceSolution: {
                key: { type: 'hangoutsMeet' },
                name: 'Google Meet',
                iconUri: 'https://fonts.gstatic.com/s/i/productlogos/meet_2020q4/v6/web-512dp/logo_meet_2020q4_color_2x_web_512dp.png'
            },
            conferenceId: event.conference.code
        };
    } else if (event.addOnConference) {
        // An add-on's conference: no hangoutLink, and a solution keyed only `addOn`, told apart by its name
        // (Events resource, conferenceData.conferenceSolution.key.type: "eventHangout", "eventNamedHangout",
        // "hangoutsMeet", "addOn").
        const addOn = event.addOnConference;
        out.conferenceData = {
            entryPoints: [
                { entryPointType: 'video', uri: addOn.uri, label: addOn.uri.replace('https://', ''), meetingCode: addOn.conferenceId },
                { entryPointType: 'phone', uri: 'tel:+1-555-010-0199', label: '+1 555-010-0199' }
            ],
            conferenceSolution: { key: { type: 'addOn' }, name: addOn.name, iconUri: 'https://lh3.googleusercontent.com/addon-icon' },
            conferenceId: addOn.conferenceId
        };
    }
    out.reminders = event.reminders
        ? { useDefault: event.reminders.useDefault, ...(event.reminders.overrides ? { overrides: event.reminders.overrides } : {}) }
        : { useDefault: true };
    return out;
}

export function renderCalendar(calendar: StoredCalendar): calendar_v3.Schema$Calendar {
    return {
        kind: 'calendar#calendar',
        etag: renderEtag(calendar.updated * 1000),
        id: calendar.id,
        summary: calendar.summary,
        ...(calendar.description ? { description: calendar.description } : {}),
        timeZone: calendar.timeZone,
        conferenceProperties: { allowedConferenceSolutionTypes: ['hangoutsMeet'] }
    };
}

export function renderListEntry(calendar: StoredCalendar): calendar_v3.Schema$CalendarListEntry {
    return {
        kind: 'calendar#calendarListEntry',
        etag: renderEtag(calendar.updated * 1000),
        id: calendar.id,
        summary: calendar.summary,
        ...(calendar.description ? { description: calendar.description } : {}),
        timeZone: calendar.timeZone,
        colorId: '14',
        backgroundColor: calendar.backgroundColor,
        foregroundColor: '#000000',
        selected: true,
        accessRole: calendar.accessRole,
        defaultReminders: calendar.accessRole === 'owner' ? [{ method: 'popup', minutes: 10 }] : [],
        ...(calendar.primary ? { primary: true } : {}),
        conferenceProperties: { allowedConferenceSolutionTypes: ['hangoutsMeet'] }
    };
}
