/**
 * Calendar reads: events.list pages of one calendar, the user's calendar list, and `primary` resolved to its id.
 * Each response is parsed at the boundary; a page token handed back twice stops the listing instead of looping.
 */
import type { NangoAction } from 'nango';
import { PageTokenGuard } from '../shared/page-tokens.js';
import { TokenBucket, sandboxClock, type PaceClock } from '../shared/pace.js';
import { calendarPath, CALENDAR_LIST_PATH, eventsPath } from './paths.js';
import { CalendarEventResource, CalendarEventsPage, CalendarListPage, CalendarResource } from './schemas.js';
import { shapeCheck, type ShapeProblem } from './shape-check.js';

type Caller = Pick<NangoAction, 'get' | 'log'>;

/** Each listed event is checked against its schema in place (shape-check.ts): zod's parse would copy every event. */
const checkEvent = shapeCheck(CalendarEventResource);

function describe(problem: ShapeProblem): string {
    return problem.path.length > 0 ? `${problem.path.join('.')}: ${problem.message}` : problem.message;
}

/**
 * Retries for reads. Nango's google-calendar provider retries 401, 403, 429 and 5xx with exponential backoff from
 * 3 s; seven tries wait up to about six minutes in all, more than the 60 s quota window Calendar enforces per user.
 */
export const READ_RETRIES = 7;
/** The largest page events.list serves (https://developers.google.com/workspace/calendar/api/guides/pagination). */
export const EVENTS_PAGE_SIZE = 2500;

/** Calendar's per-user limit: 600 requests a minute (https://developers.google.com/workspace/calendar/api/guides/quota). */
export const CALENDAR_REQUESTS_PER_MINUTE = 600;

/**
 * The run's own pace, 95% of the per-user limit with a burst of 10: calendars listed side by side never spend the
 * quota faster than Google refills it, and what is left covers the actions and other scripts of the same user.
 */
export function calendarBucket(clock: PaceClock = sandboxClock): TokenBucket {
    return new TokenBucket((CALENDAR_REQUESTS_PER_MINUTE * 0.95) / 60, 10, clock);
}

export interface EventsQuery {
    calendarId: string;
    /** Set for an incremental listing; then no filter may be sent with it. */
    syncToken: string | null;
    /** Lower bound of a full listing (events ending after it). */
    timeMin: string | null;
    /**
     * A full listing that also returns events cancelled since (events.list `showDeleted`), so it can delete them:
     * onWebhook's first listing of a calendar, which has no older sync token to learn of them from.
     */
    showDeleted?: boolean;
    /** Where a resumed listing continues. */
    pageToken: string | null;
}

export interface EventsPage {
    /** The page's events as Google sent them: `readEvents` checks them, once the next page is on its way. */
    items: unknown[];
    nextPageToken: string | null;
    nextSyncToken: string | null;
}

/**
 * events.list pages. Always `singleEvents=false` (recurring masters and their exceptions, see syncs/events.ts) and
 * never `orderBy`: Google hands out a sync token only to listings without an ordering, and an incremental listing
 * must repeat the parameters of the full one that issued its token.
 */
export async function* eventPages(nango: Caller, query: EventsQuery, pace?: TokenBucket): AsyncGenerator<EventsPage> {
    const guard = new PageTokenGuard(`events.list on ${query.calendarId}`);
    let pageToken = query.pageToken;
    for (;;) {
        const params: Record<string, string> = { maxResults: String(EVENTS_PAGE_SIZE), singleEvents: 'false' };
        if (query.syncToken) {
            params['syncToken'] = query.syncToken;
            // A sync token lists deleted events anyway, but without showDeleted it strips their details (events
            // resource, `status`): a cancelled instance would be cached bare by an incremental run and whole by a
            // full listing. With it, both listings give the same record.
            params['showDeleted'] = 'true';
        } else {
            if (query.timeMin) params['timeMin'] = query.timeMin;
            if (query.showDeleted) params['showDeleted'] = 'true';
        }
        if (pageToken) params['pageToken'] = pageToken;
        await pace?.take(1);
        const page = await listEvents(nango, query.calendarId, params);
        const next = page.nextPageToken ?? null;
        guard.check(next);
        yield { items: page.items ?? [], nextPageToken: next, nextSyncToken: page.nextSyncToken ?? null };
        if (next === null) return;
        pageToken = next;
    }
}

/**
 * One events.list request. Apart from the generator, because a generator keeps its locals through a yield: the
 * response, and all of the page's events with it, would stay in memory until the next page came.
 */
async function listEvents(nango: Caller, calendarId: string, params: Record<string, string>): Promise<CalendarEventsPage> {
    // https://developers.google.com/workspace/calendar/api/v3/reference/events/list
    const response = await nango.get({ endpoint: eventsPath(calendarId), params, retries: READ_RETRIES });
    return CalendarEventsPage.parse(response.data);
}

/**
 * The readable events of a page, each checked against the events resource; one that is not is skipped and logged.
 * Empties `items`, so that the page as sent is not held beside what is made of it while the page is saved.
 */
export async function readEvents(nango: Caller, calendarId: string, items: unknown[]): Promise<CalendarEventResource[]> {
    const events: CalendarEventResource[] = [];
    for (const item of items) {
        const checked = checkEvent(item);
        if ('value' in checked) events.push(checked.value);
        else await nango.log(`Skipped an unreadable event in ${calendarId}: ${describe(checked.problem)}`, { level: 'warn' });
    }
    items.length = 0;
    return events;
}

/** Ids of the calendars in the user's calendar list whose events can be read (free/busy-only ones cannot). */
export async function listedCalendarIds(nango: Caller): Promise<string[]> {
    const ids: string[] = [];
    let pageToken: string | null = null;
    do {
        // https://developers.google.com/workspace/calendar/api/v3/reference/calendarList/list
        const response = await nango.get({
            endpoint: CALENDAR_LIST_PATH,
            params: { maxResults: '250', minAccessRole: 'reader', ...(pageToken ? { pageToken } : {}) },
            retries: READ_RETRIES
        });
        const page: CalendarListPage = CalendarListPage.parse(response.data);
        for (const entry of page.items ?? []) if (entry.deleted !== true) ids.push(entry.id);
        pageToken = page.nextPageToken ?? null;
    } while (pageToken);
    return ids;
}

/** The real id of a calendar named by alias (`primary` is the user's address). */
export async function calendarIdOf(nango: Caller, calendarId: string): Promise<string> {
    // https://developers.google.com/workspace/calendar/api/v3/reference/calendars/get
    const response = await nango.get({ endpoint: calendarPath(calendarId), retries: READ_RETRIES });
    return CalendarResource.parse(response.data).id;
}
