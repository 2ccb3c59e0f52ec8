import { createAction } from 'nango';
import { GoogleCalendarEvent, UpdateEventInput } from '../../../models.js';
import { describeFailure, googleFailureOf, isOutcomeUnknown } from '../../shared/google-errors.js';
import { parseInput } from '../../shared/input.js';
import { eventBody, fieldIssues, storedTime, timeIssues } from '../event-body.js';
import { toGoogleCalendarEvent } from '../mappers.js';
import { eventPath } from '../paths.js';
import { CalendarEventResource } from '../schemas.js';
import { checkEventId, resolveTime } from '../validate.js';
import { failureToActionError, getEvent, realCalendarId, rejectIssues } from '../writes.js';

/**
 * Changes the given fields of an event and nothing else (PATCH). With `etag`, the change applies only to that version
 * of the event (If-Match): if someone changed it since, the action fails with type `conflict`, the current etag and
 * the event as it now is, so the caller can decide. Without `etag` the given fields overwrite whatever is there. The
 * PATCH is sent once: when no answer comes back, the action fails with type `outcome_unknown` rather than send it
 * again. An instance of a recurring event is changed by its instance id (`<seriesId>_<start>`), which makes it an
 * exception.
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
        const issues = fieldIssues(fields);
        checkEventId(input.eventId, issues);
        // Each time on its own now; against the stored other end once the event is read.
        if (input.start !== undefined) resolveTime(input.start, 'start', issues);
        if (input.end !== undefined) resolveTime(input.end, 'end', issues);
        rejectIssues(nango, issues);
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
        const mapped = async (event: CalendarEventResource) => toGoogleCalendarEvent(await realCalendarId(nango, calendarId), event);
        if (input.etag !== undefined && input.etag !== current.etag) throw await conflict(current);
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
                // Never re-sent: a PATCH whose answer was lost may have applied, and sending it again would overwrite
                // whatever changed in between (or, with If-Match, fail on our own change).
                retries: 0
            });
            return await mapped(CalendarEventResource.parse(response.data));
        } catch (error) {
            if (isOutcomeUnknown(error)) {
                throw new nango.ActionError({
                    type: 'outcome_unknown',
                    message:
                        `Calendar gave no answer to the update of event ${input.eventId} (${describeFailure(error)}): it may or may not ` +
                        'have been applied. Read the event before trying again; a retry with the etag you sent fails with conflict if it was.',
                    eventId: input.eventId
                });
            }
            if (googleFailureOf(error).status !== 412) throw failureToActionError(nango, error, calendarId, input.eventId);
            // Someone changed the event since the etag the caller read.
            throw await conflict(await getEvent(nango, calendarId, input.eventId));
        }

        async function conflict(latest: CalendarEventResource | null): Promise<unknown> {
            return new nango.ActionError({
                type: 'conflict',
                message: `Event ${input.eventId} was changed since etag ${input.etag ?? '(none)'}; current etag ${latest?.etag ?? 'unknown'}`,
                currentEtag: latest?.etag ?? null,
                current: latest ? await mapped(latest) : null
            });
        }
    }
});

export default action;
