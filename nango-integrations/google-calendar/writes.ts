/**
 * What create-event and update-event share: input errors that name the field, Calendar failures turned into typed
 * ActionErrors, reading one event, and the calendar's real id for the output record.
 */
import type { NangoAction } from 'nango';
import { describeFailure, googleFailureOf } from '../shared/google-errors.js';
import { invalidInput } from '../shared/input.js';
import type { Issue } from './validate.js';
import { eventPath } from './paths.js';
import { calendarIdOf, READ_RETRIES } from './pages.js';
import { CalendarEventResource } from './schemas.js';

type Caller = Pick<NangoAction, 'get' | 'log' | 'ActionError'>;

/**
 * Retries for inserts, which are safe to send again: an insert carries its own event id, so a replay meets 409 and
 * the event made is returned. Fewer than reads, because Nango's google-calendar provider also retries every 403,
 * including "no write access", for which waiting does not help. Patches are never retried (see update-event).
 */
export const WRITE_RETRIES = 4;

export function rejectIssues(nango: Caller, issues: readonly Issue[]): void {
    const first = issues[0];
    if (!first) return;
    throw invalidInput(nango, first.field, first.message, { issues });
}

/** A Calendar failure as the caller should see it: what kind of problem, and Google's own words. */
export function failureToActionError(nango: Caller, error: unknown, calendarId: string, eventId: string | null): unknown {
    const failure = googleFailureOf(error);
    const detail = describeFailure(error);
    switch (failure.status) {
        case 400:
            return new nango.ActionError({ type: 'invalid_input', message: `Calendar refused the event: ${failure.message}`, detail });
        case 403:
            if (failure.reasons.some((reason) => /rateLimit/i.test(reason))) {
                return new nango.ActionError({ type: 'rate_limited', message: 'Calendar rate limit: try again in a minute', detail });
            }
            return new nango.ActionError({
                type: 'forbidden',
                message: `No write access to calendar ${calendarId}: ${failure.message}`,
                detail
            });
        case 404:
            return new nango.ActionError({
                type: 'not_found',
                message: eventId ? `No event ${eventId} in calendar ${calendarId}` : `No calendar ${calendarId}`,
                detail
            });
        case 429:
            return new nango.ActionError({ type: 'rate_limited', message: 'Calendar rate limit: try again in a minute', detail });
        default:
            return error;
    }
}

/** One event, or null when Calendar has no event with that id. */
export async function getEvent(nango: Caller, calendarId: string, eventId: string): Promise<CalendarEventResource | null> {
    try {
        // https://developers.google.com/workspace/calendar/api/v3/reference/events/get
        const response = await nango.get({ endpoint: eventPath(calendarId, eventId), retries: READ_RETRIES });
        return CalendarEventResource.parse(response.data);
    } catch (error) {
        if (googleFailureOf(error).status === 404) return null;
        throw failureToActionError(nango, error, calendarId, eventId);
    }
}

/** The id the sync stores the calendar's events under: `primary` is resolved to the user's address. */
export async function realCalendarId(nango: Caller, calendarId: string): Promise<string> {
    if (calendarId !== 'primary') return calendarId;
    try {
        return await calendarIdOf(nango, calendarId);
    } catch (error) {
        throw failureToActionError(nango, error, calendarId, null);
    }
}
