import { createOnEvent } from 'nango';
import { GoogleCalendarEventsMetadata as Metadata } from '../../../models.js';
import { describeFailure, googleFailureOf } from '../../shared/google-errors.js';
import { readMetadata } from '../metadata.js';
import { CALENDAR_LIST_PATH } from '../paths.js';

/** What the events sync reads with; `calendar` (read-write, the actions' scope) covers it too. */
const READ_SCOPE = 'https://www.googleapis.com/auth/calendar.readonly';

/**
 * Runs when a connection is made or re-made; throwing refuses it (docs/guides/functions/event-functions.mdx), so the
 * message says what the user must grant or fix.
 */
export default createOnEvent({
    event: 'validate-connection',
    description: 'Refuses a connection whose metadata the events sync cannot use, or whose account cannot read its calendar list',
    version: '1.0.0',
    metadata: Metadata,
    exec: async (nango) => {
        // A metadata mistake would fail every run of the sync: say so now, with the field named.
        readMetadata(await nango.getMetadata());
        try {
            // https://developers.google.com/workspace/calendar/api/v3/reference/calendarList/list
            await nango.get({ endpoint: CALENDAR_LIST_PATH, params: { maxResults: '1' }, retries: 2 });
        } catch (error) {
            throw new Error(refusal(error), { cause: error });
        }
    }
});

function refusal(error: unknown): string {
    const failure = googleFailureOf(error);
    const why = describeFailure(error);
    if (failure.status === 401) return `Google refused the connection's credentials (${why}): reconnect the account.`;
    if (failure.reasons.includes('notACalendarUser')) return `The account has no Google Calendar (${why}): turn Calendar on for it.`;
    if (failure.status === 403) {
        return `The connection cannot read the calendar list (${why}): grant the scope ${READ_SCOPE} (or .../auth/calendar) and reconnect.`;
    }
    return `The calendar list could not be read (${why}); try connecting again.`;
}
