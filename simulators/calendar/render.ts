import type { calendar_v3 } from '@googleapis/calendar';
import type { CalendarUser, EventTime, StoredCalendar, StoredEvent } from './model.js';
import { formatDate, formatDateTime, formatTimestamp } from './time.js';

/** Calendar's JSON for events, calendars and list entries, from the simulator's compact records. */

export function renderTime(time: EventTime, calendarZone: string): calendar_v3.Schema$EventDateTime {
    if (time.allDay) return { date: formatDate(time.ms) };
    return { dateTime: formatDateTime(time.ms, time.timeZone ?? calendarZone), ...(time.timeZone ? { timeZone: time.timeZone } : {}) };
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

/**
 * A deleted event as list answers show it: "Deleted events are only guaranteed to have the id field populated";
 * cancelled exceptions also carry `recurringEventId` and `originalStartTime`
 * (https://developers.google.com/workspace/calendar/api/v3/reference/events#status).
 */
export function renderCancelled(event: StoredEvent, calendar: StoredCalendar): calendar_v3.Schema$Event {
    return {
        kind: 'calendar#event',
        etag: renderEtag(event.etag),
        id: event.id,
        status: 'cancelled',
        ...(event.recurringEventId && event.originalStart
            ? { recurringEventId: event.recurringEventId, originalStartTime: renderTime(event.originalStart, calendar.timeZone) }
            : {})
    };
}

export function renderEvent(event: StoredEvent, calendar: StoredCalendar, user: CalendarUser): calendar_v3.Schema$Event {
    const iCalId = event.recurringEventId ?? event.id;
    const organizerSelf = event.organizer.email === calendar.id || event.organizer.email === user.email;
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
            ...(organizerSelf ? { self: true } : {})
        },
        start: renderTime(event.start, calendar.timeZone),
        end: renderTime(event.end, calendar.timeZone),
        ...(event.recurrence ? { recurrence: [...event.recurrence] } : {}),
        ...(event.recurringEventId ? { recurringEventId: event.recurringEventId } : {}),
        ...(event.originalStart ? { originalStartTime: renderTime(event.originalStart, calendar.timeZone) } : {}),
        ...(event.transparency ? { transparency: event.transparency } : {}),
        ...(event.visibility ? { visibility: event.visibility } : {}),
        iCalUID: `${iCalId}@google.com`,
        sequence: event.sequence,
        eventType: 'default'
    };
    if (event.attendees && event.attendees.length > 0) {
        out.attendees = event.attendees.map((attendee) => ({
            email: attendee.email,
            ...(attendee.displayName ? { displayName: attendee.displayName } : {}),
            ...(attendee.organizer ? { organizer: true } : {}),
            ...(attendee.self || attendee.email === user.email ? { self: true } : {}),
            ...(attendee.optional ? { optional: true } : {}),
            responseStatus: attendee.responseStatus
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
