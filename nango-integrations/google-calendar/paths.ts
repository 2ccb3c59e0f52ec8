/**
 * Calendar API paths, relative to the provider's base URL (https://www.googleapis.com). Every path segment is
 * encoded: calendar ids contain `#` and `@` (`en.usa#holiday@group.v.calendar.google.com`), and an unencoded `#`
 * would cut the URL short at what a client takes for a fragment.
 */

const ROOT = '/calendar/v3';

export const CALENDAR_LIST_PATH = `${ROOT}/users/me/calendarList`;

export function calendarPath(calendarId: string): string {
    return `${ROOT}/calendars/${encodeURIComponent(calendarId)}`;
}

export function eventsPath(calendarId: string): string {
    return `${calendarPath(calendarId)}/events`;
}

export function eventPath(calendarId: string, eventId: string): string {
    return `${eventsPath(calendarId)}/${encodeURIComponent(eventId)}`;
}

export function eventsWatchPath(calendarId: string): string {
    return `${eventsPath(calendarId)}/watch`;
}

export const CHANNELS_STOP_PATH = `${ROOT}/channels/stop`;
