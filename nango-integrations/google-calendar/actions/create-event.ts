import { createAction } from 'nango';
import { CreateEventInput, GoogleCalendarEvent } from '../../../models.js';
import { describeFailure, googleFailureOf, isOutcomeUnknown } from '../../shared/google-errors.js';
import { parseInput } from '../../shared/input.js';
import { deriveEventId, eventBody, fieldIssues, timeIssues } from '../event-body.js';
import { toGoogleCalendarEvent } from '../mappers.js';
import { eventPath, eventsPath } from '../paths.js';
import { CalendarEventResource } from '../schemas.js';
import { resolveTime } from '../validate.js';
import { failureToActionError, getEvent, realCalendarId, rejectIssues, WRITE_RETRIES } from '../writes.js';

/**
 * Creates an event, idempotently. The event id is the caller's `eventId` or a hash of the input, and Calendar keeps
 * ids unique per calendar (cancelled events included), so a create retried after a lost answer meets 409 and returns
 * the event the first attempt made. An id that belongs to a cancelled event is reused by restoring that event with
 * this input; one that belongs to a different live event (a caller-chosen id) is a conflict.
 */
const action = createAction({
    description:
        'Create a Google Calendar event (timed or all-day, attendees, recurrence, reminders, optional Google Meet link). Retries never duplicate it.',
    version: '1.0.0',
    scopes: ['https://www.googleapis.com/auth/calendar.events'],
    input: CreateEventInput,
    output: GoogleCalendarEvent,
    exec: async (nango, rawInput) => {
        const input = parseInput(nango, CreateEventInput, rawInput);
        rejectIssues(nango, [...fieldIssues(input), ...timeIssues(input.start, input.end, (input.recurrence ?? []).length > 0)]);

        const calendarId = input.calendarId ?? 'primary';
        const eventId = input.eventId ?? deriveEventId(input);
        const body = { id: eventId, ...eventBody(input, eventId) };
        const params: Record<string, string> = { sendUpdates: input.sendUpdates ?? 'none' };
        if (input.addGoogleMeet) params['conferenceDataVersion'] = '1';

        let created: CalendarEventResource;
        try {
            // https://developers.google.com/workspace/calendar/api/v3/reference/events/insert
            const response = await nango.post({ endpoint: eventsPath(calendarId), params, data: body, retries: WRITE_RETRIES });
            created = CalendarEventResource.parse(response.data);
        } catch (error) {
            if (googleFailureOf(error).status !== 409) throw failureToActionError(nango, error, calendarId, null);
            const existing = await getEvent(nango, calendarId, eventId);
            if (!existing) throw failureToActionError(nango, error, calendarId, null);
            if (existing.status === 'cancelled') {
                await nango.log(`Event ${eventId} exists as a cancelled event: restoring it with this input`);
                try {
                    // https://developers.google.com/workspace/calendar/api/v3/reference/events/patch
                    const response = await nango.patch({
                        endpoint: eventPath(calendarId, eventId),
                        params,
                        data: { ...eventBody(input, eventId), status: 'confirmed' },
                        headers: existing.etag ? { 'If-Match': existing.etag } : {},
                        // Sent once, as every PATCH (see update-event): a create retried by the caller finds the
                        // event restored, or restores it then.
                        retries: 0
                    });
                    created = CalendarEventResource.parse(response.data);
                } catch (restoreError) {
                    if (isOutcomeUnknown(restoreError)) {
                        throw new nango.ActionError({
                            type: 'outcome_unknown',
                            message: `Calendar gave no answer to restoring the cancelled event ${eventId} (${describeFailure(restoreError)}): call create-event again with the same input`,
                            eventId
                        });
                    }
                    throw failureToActionError(nango, restoreError, calendarId, eventId);
                }
            } else if (input.eventId !== undefined && !sameEvent(existing, input)) {
                throw new nango.ActionError({
                    type: 'conflict',
                    message: `Calendar ${calendarId} already has a different event with id ${eventId}`,
                    eventId,
                    currentEtag: existing.etag ?? null
                });
            } else {
                // The same create, retried: the first attempt went through.
                created = existing;
            }
        }
        return toGoogleCalendarEvent(await realCalendarId(nango, calendarId), created);
    }
});

/** A caller-chosen id collides with a different event unless title and start match what was asked. */
function sameEvent(existing: CalendarEventResource, input: CreateEventInput): boolean {
    if ((existing.summary ?? '') !== input.summary) return false;
    if (input.start.date !== undefined) return existing.start?.date === input.start.date;
    const asked = resolveTime(input.start, 'start', []);
    return asked !== null && asked.ms === Date.parse(existing.start?.dateTime ?? '');
}

export default action;
