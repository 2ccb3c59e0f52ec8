import { createAction } from 'nango';
import { GoogleCalendarEvent, UpdateEventInput, type EventTimeInput } from '../../../models.js';
import { googleFailureOf } from '../../shared/google-errors.js';
import { eventBody, fieldIssues, storedTime, timeIssues } from '../event-body.js';
import { toGoogleCalendarEvent } from '../mappers.js';
import { eventPath } from '../paths.js';
import { CalendarEventResource } from '../schemas.js';
import { resolveTime } from '../validate.js';
import { failureToActionError, getEvent, parseInput, realCalendarId, rejectIssues, WRITE_RETRIES } from '../writes.js';

/**
 * Changes the given fields of an event and nothing else (PATCH). With `etag`, the change applies only to that version
 * of the event (If-Match): if someone changed it since, the action fails with type `conflict` and the current etag,
 * so the caller can re-read and decide. An instance of a recurring event is changed by its instance id
 * (`<seriesId>_<start>`), which makes it an exception.
 */
const action = createAction({
    description: 'Update fields of a Google Calendar event (only those given), optionally only if it is still at a known etag.',
    version: '1.0.0',
    scopes: ['https://www.googleapis.com/auth/calendar.events'],
    input: UpdateEventInput,
    output: GoogleCalendarEvent,
    exec: async (nango, rawInput) => {
        const input = parseInput(nango, UpdateEventInput, rawInput);
        const { eventId: _eventId, ...fields } = input;
        rejectIssues(nango, fieldIssues(fields));
        if (input.eventId.trim() === '') rejectIssues(nango, [{ field: 'eventId', message: 'must not be empty' }]);
        const calendarId = input.calendarId ?? 'primary';

        const current = await getEvent(nango, calendarId, input.eventId);
        if (!current) throw new nango.ActionError({ type: 'not_found', message: `No event ${input.eventId} in calendar ${calendarId}` });
        if (current.status === 'cancelled') {
            throw new nango.ActionError({
                type: 'cancelled',
                message: `Event ${input.eventId} in calendar ${calendarId} is cancelled`,
                currentEtag: current.etag ?? null
            });
        }
        if (input.etag !== undefined && input.etag !== current.etag) throw conflict(input.eventId, current.etag);
        if (input.recurrence !== undefined && current.recurringEventId) {
            rejectIssues(nango, [
                { field: 'recurrence', message: 'an instance of a recurring event has no recurrence of its own; update the series' }
            ]);
        }
        if (input.start !== undefined || input.end !== undefined || input.recurrence !== undefined) {
            const start = input.start ?? storedTime(current.start);
            const end = input.end ?? storedTime(current.end);
            if (start && end) rejectIssues(nango, timeIssues(start, end, (input.recurrence ?? current.recurrence ?? []).length > 0));
        }

        const body = eventBody(input, current.id);
        // An event that already has a Meet link keeps it; asking again would not make a second one anyway.
        if (body.conferenceData && current.hangoutLink) delete body.conferenceData;
        const mapped = async (event: CalendarEventResource) => toGoogleCalendarEvent(await realCalendarId(nango, calendarId), event);
        if (Object.keys(body).length === 0) return await mapped(current);

        const params: Record<string, string> = { sendUpdates: input.sendUpdates ?? 'none' };
        if (body.conferenceData) params['conferenceDataVersion'] = '1';
        try {
            // https://developers.google.com/workspace/calendar/api/v3/reference/events/patch
            const response = await nango.patch({
                endpoint: eventPath(calendarId, input.eventId),
                params,
                data: body,
                headers: input.etag !== undefined ? { 'If-Match': input.etag } : {},
                retries: WRITE_RETRIES
            });
            return await mapped(CalendarEventResource.parse(response.data));
        } catch (error) {
            if (googleFailureOf(error).status !== 412) throw failureToActionError(nango, error, calendarId, input.eventId);
            // Stale etag. Unless the event now holds exactly this change (our own earlier attempt, whose answer was
            // lost, moved the etag), someone else changed it.
            const latest = await getEvent(nango, calendarId, input.eventId);
            if (latest && latest.status !== 'cancelled' && holdsChange(latest, input)) return await mapped(latest);
            throw conflict(input.eventId, latest?.etag ?? null);
        }

        function conflict(eventId: string, currentEtag: string | null | undefined): unknown {
            return new nango.ActionError({
                type: 'conflict',
                message: `Event ${eventId} was changed since etag ${input.etag ?? '(none)'}; current etag ${currentEtag ?? 'unknown'}`,
                currentEtag: currentEtag ?? null
            });
        }
    }
});

/** Whether every field the update sets already has the requested value. */
function holdsChange(event: CalendarEventResource, input: UpdateEventInput): boolean {
    const same = (a: string | null | undefined, b: string | undefined) => b === undefined || (a ?? '') === b;
    if (!same(event.summary, input.summary) || !same(event.description, input.description) || !same(event.location, input.location))
        return false;
    if (input.start !== undefined && !sameTime(event.start, input.start)) return false;
    if (input.end !== undefined && !sameTime(event.end, input.end)) return false;
    if (input.recurrence !== undefined && JSON.stringify(event.recurrence ?? []) !== JSON.stringify(input.recurrence)) return false;
    if (input.attendees !== undefined) {
        const emails = (list: readonly { email?: string | null | undefined }[]) =>
            list
                .map((a) => (a.email ?? '').toLowerCase())
                .sort()
                .join(',');
        if (emails(event.attendees ?? []) !== emails(input.attendees)) return false;
    }
    if (input.addGoogleMeet === true && !event.hangoutLink) return false;
    return true;
}

function sameTime(stored: CalendarEventResource['start'], wanted: EventTimeInput): boolean {
    if (wanted.date !== undefined) return stored?.date === wanted.date;
    const resolved = resolveTime(wanted, 'time', []);
    return resolved !== null && resolved.ms === Date.parse(stored?.dateTime ?? '');
}

export default action;
