import type { calendar_v3 } from '@googleapis/calendar';
import { calendarErrors } from './errors.js';
import type { StoredCalendar, StoredEvent } from './model.js';
import { occurrences } from './recurrence.js';
import { renderCancelled, renderEvent } from './render.js';
import type { CalendarStore } from './store.js';
import { DAY_MS, formatTimestamp, isValidTimeZone, parseBound } from './time.js';
import { decodePageToken, decodeSyncToken, encodePageToken, encodeSyncToken, fnv1a, type PageTokenData } from './tokens.js';

/**
 * events.list (https://developers.google.com/workspace/calendar/api/v3/reference/events/list) over the store:
 * parameter checks, the full listing, instance expansion, incremental listing by sync token, and paging.
 */

export const DEFAULT_PAGE = 250;
/** "The page size can never be larger than 2500 events" (the pagination guide: the server caps, it does not refuse). */
export const MAX_PAGE = 2500;
/** Parameters a request with `syncToken` must not carry (events.list reference, `syncToken`). */
export const SYNC_FORBIDDEN = [
    'iCalUID',
    'orderBy',
    'privateExtendedProperty',
    'q',
    'sharedExtendedProperty',
    'timeMin',
    'timeMax',
    'updatedMin'
];
/** How far ahead an unbounded series is expanded into instances when no timeMax is given. */
const EXPANSION_HORIZON_MS = 2 * 365 * DAY_MS;
/** A full-listing page scans at most this many stored events per requested result, so pages may come back short. */
const SCAN_FACTOR = 4;

export interface ListQuery {
    maxResults: number;
    pageToken: string | null;
    syncToken: string | null;
    timeMin: number | null;
    timeMax: number | null;
    singleEvents: boolean;
    showDeleted: boolean;
    orderBy: 'startTime' | 'updated' | null;
    updatedMin: number | null;
    q: string | null;
    iCalUID: string | null;
    /**
     * `privateExtendedProperty` / `sharedExtendedProperty` constraints, `name=value` each, all of which must match
     * ("This parameter might be repeated multiple times to return events that match all given constraints").
     */
    extendedProperties: { scope: 'private' | 'shared'; name: string; value: string }[];
    /** The zone of the answer's `dateTime` offsets (default: the calendar's). */
    timeZone: string | null;
    /** Identifies the query a page token belongs to. */
    key: string;
}

/**
 * `pageLimit` caps what one page holds below what was asked: Google's pages may come back shorter than maxResults
 * and still carry a nextPageToken (pagination guide), which lets a test put two related events on different pages.
 */
export function parseListQuery(params: URLSearchParams, calendarId: string, pageLimit = MAX_PAGE): ListQuery {
    const single = (name: string): string | null => params.get(name);
    const bool = (name: string): boolean => {
        const value = single(name);
        if (value === null) return false;
        if (value !== 'true' && value !== 'false') throw calendarErrors.invalid(`Invalid boolean value: '${value}'.`, name);
        return value === 'true';
    };
    const bound = (name: string): number | null => {
        const value = single(name);
        if (value === null) return null;
        const ms = parseBound(value);
        if (ms === null) throw calendarErrors.badRequest();
        return ms;
    };

    let maxResults = Math.min(DEFAULT_PAGE, pageLimit);
    const rawMax = single('maxResults');
    if (rawMax !== null) {
        if (!/^-?\d+$/.test(rawMax)) throw calendarErrors.invalid(`Invalid value '${rawMax}'. Values must be integers.`, 'maxResults');
        const n = Number(rawMax);
        if (n < 1) throw calendarErrors.invalid(`Invalid value '${rawMax}'. Values must be within the range: [1, ...]`, 'maxResults');
        maxResults = Math.min(n, MAX_PAGE, pageLimit);
    }
    const orderBy = single('orderBy');
    if (orderBy !== null && orderBy !== 'startTime' && orderBy !== 'updated') {
        throw calendarErrors.invalid(`Invalid value for orderBy: ${orderBy}`, 'orderBy');
    }
    const timeZone = single('timeZone');
    if (timeZone !== null && !isValidTimeZone(timeZone)) throw calendarErrors.invalid('Invalid time zone definition.', 'timeZone');

    const syncToken = single('syncToken');
    if (syncToken !== null) {
        for (const name of SYNC_FORBIDDEN) {
            if (params.has(name)) throw calendarErrors.invalid(`The parameter ${name} cannot be used together with syncToken.`, name);
        }
    }
    const query: ListQuery = {
        maxResults,
        pageToken: single('pageToken'),
        syncToken,
        timeMin: bound('timeMin'),
        timeMax: bound('timeMax'),
        singleEvents: bool('singleEvents'),
        showDeleted: bool('showDeleted'),
        orderBy,
        updatedMin: bound('updatedMin'),
        q: single('q'),
        iCalUID: single('iCalUID'),
        extendedProperties: [
            ...params.getAll('privateExtendedProperty').map((constraint) => propertyConstraint('private', constraint)),
            ...params.getAll('sharedExtendedProperty').map((constraint) => propertyConstraint('shared', constraint))
        ],
        timeZone,
        key: queryKey(params, calendarId)
    };
    if (query.orderBy === 'startTime' && !query.singleEvents) {
        throw calendarErrors.invalid('The requested ordering is not available for the particular query.', 'orderBy');
    }
    if (query.timeMin !== null && query.timeMax !== null && query.timeMin >= query.timeMax) throw calendarErrors.timeRangeEmpty('timeMax');
    return query;
}

/**
 * "Extended properties constraint specified as propertyName=value" (events.list); the value may itself hold `=`.
 * A constraint without `=` is answered 400 here: Google does not document its answer to one.
 */
function propertyConstraint(scope: 'private' | 'shared', constraint: string): ListQuery['extendedProperties'][number] {
    const at = constraint.indexOf('=');
    if (at <= 0) throw calendarErrors.invalid(`Invalid extended property constraint: '${constraint}'.`, `${scope}ExtendedProperty`);
    return { scope, name: constraint.slice(0, at), value: constraint.slice(at + 1) };
}

function queryKey(params: URLSearchParams, calendarId: string): string {
    const pairs = [...params].filter(([name]) => name !== 'pageToken' && name !== 'maxResults').map(([name, value]) => `${name}=${value}`);
    return fnv1a(`${calendarId}?${pairs.sort().join('&')}`);
}

/** Google hands out a sync token only for listings it can continue incrementally: no ordering, no search filters. */
function syncable(query: ListQuery): boolean {
    return (
        query.orderBy === null &&
        query.q === null &&
        query.iCalUID === null &&
        query.updatedMin === null &&
        query.extendedProperties.length === 0
    );
}

export function listEvents(store: CalendarStore, calendar: StoredCalendar, query: ListQuery): calendar_v3.Schema$Events {
    let page: PageTokenData | null = null;
    if (query.pageToken !== null) {
        page = decodePageToken(query.pageToken);
        if (!page || page.query !== query.key) throw calendarErrors.invalid('Invalid page token value.', 'pageToken');
    }
    let result: { items: calendar_v3.Schema$Event[]; next: PageTokenData | null; snapshot: number };
    if (query.syncToken !== null) result = incremental(store, calendar, query, page);
    else if (!query.singleEvents && query.orderBy === null) result = fullByCreation(store, calendar, query, page);
    else result = computed(store, calendar, query, page);

    const answer: calendar_v3.Schema$Events = {
        kind: 'calendar#events',
        etag: `"p${calendar.changeLog.length.toString(36)}${calendar.epoch}"`,
        summary: calendar.summary,
        description: calendar.description ?? '',
        updated: formatTimestamp(calendar.updated),
        timeZone: calendar.timeZone,
        accessRole: calendar.accessRole,
        defaultReminders: calendar.accessRole === 'owner' ? [{ method: 'popup', minutes: 10 }] : []
    };
    if (result.next) answer.nextPageToken = encodePageToken(result.next);
    else if (query.syncToken !== null || syncable(query)) {
        // Only the last page carries it; it points at the change log as it stood when the listing began, so
        // anything changed while the pages were being read comes back in the next incremental listing.
        answer.nextSyncToken = encodeSyncToken({
            calendar: calendar.id,
            epoch: calendar.epoch,
            position: result.snapshot,
            singleEvents: query.singleEvents
        });
    }
    answer.items = result.items;
    return answer;
}

type PageResult = { items: calendar_v3.Schema$Event[]; next: PageTokenData | null; snapshot: number };

/**
 * The default listing: stored events in creation order, paged by creation index so boundaries never shift. An
 * event changed after an earlier page was served comes again, as it now is, at the top of the next page: the same
 * event on two pages of one listing, as live listings show (the reader keeps the later copy). A page scans at most
 * `store.scanLimit` stored events, so a run of hidden (deleted) events gives a page with no items and a
 * nextPageToken, as recorded live listings show ("maxResults doesn't guarantee the number of results on one page.
 * A non-empty nextPageToken field in the response indicates incomplete results", pagination guide).
 */
function fullByCreation(store: CalendarStore, calendar: StoredCalendar, query: ListQuery, page: PageTokenData | null): PageResult {
    if (page && page.kind !== 'k') throw calendarErrors.invalid('Invalid page token value.', 'pageToken');
    const snapshot = page?.snapshot ?? calendar.changeLog.length;
    const items: calendar_v3.Schema$Event[] = [];
    if (page) {
        for (let position = page.mark + 1; position <= calendar.changeLog.length; position += 1) {
            const event = calendar.events[calendar.changeLog[position - 1]!]!;
            if (event.changeSeq !== position || event.index > page.after) continue;
            if (visible(store, calendar, event, query)) items.push(render(store, calendar, event, query));
        }
    }
    const budget = Math.min(query.maxResults * SCAN_FACTOR, store.scanLimit);
    let index = (page?.after ?? -1) + 1;
    let scanned = 0;
    for (; index < calendar.events.length && items.length < query.maxResults && scanned < budget; index += 1, scanned += 1) {
        const event = calendar.events[index]!;
        if (!visible(store, calendar, event, query)) continue;
        items.push(render(store, calendar, event, query));
    }
    const mark = calendar.changeLog.length;
    const next = index < calendar.events.length ? { kind: 'k' as const, query: query.key, after: index - 1, snapshot, mark } : null;
    return { items, next, snapshot };
}

/** With a sync token: events whose latest change lies after the token, cancelled ones included, in change order. */
function incremental(store: CalendarStore, calendar: StoredCalendar, query: ListQuery, page: PageTokenData | null): PageResult {
    const token = decodeSyncToken(query.syncToken!, calendar.id);
    if (!token || token.epoch !== calendar.epoch || token.position > calendar.changeLog.length) throw calendarErrors.fullSyncRequired();
    if (token.singleEvents !== query.singleEvents) {
        throw calendarErrors.invalid('The sync token was issued for a different value of singleEvents.', 'singleEvents');
    }
    if (page && page.kind !== 'c') throw calendarErrors.invalid('Invalid page token value.', 'pageToken');
    const snapshot = page?.snapshot ?? calendar.changeLog.length;
    const items: calendar_v3.Schema$Event[] = [];
    let position = (page?.after ?? token.position) + 1;
    for (; position <= snapshot && items.length < query.maxResults; position += 1) {
        const event = calendar.events[calendar.changeLog[position - 1]!]!;
        // A later change of the same event supersedes this entry; it is returned at its latest position.
        if (event.changeSeq !== position) continue;
        if (query.singleEvents && isMaster(event) && event.status !== 'cancelled') {
            for (const instance of expand(store, calendar, event, query)) items.push(render(store, calendar, instance, query));
        } else {
            items.push(render(store, calendar, event, query));
        }
    }
    const next = position <= snapshot ? { kind: 'c' as const, query: query.key, after: position - 1, snapshot, mark: snapshot } : null;
    return { items, next, snapshot };
}

/** Listings that need the whole result first (instances, or an ordering): computed, sorted, paged by offset. */
function computed(store: CalendarStore, calendar: StoredCalendar, query: ListQuery, page: PageTokenData | null): PageResult {
    if (page && page.kind !== 'o') throw calendarErrors.invalid('Invalid page token value.', 'pageToken');
    const snapshot = page?.snapshot ?? calendar.changeLog.length;
    const all: StoredEvent[] = [];
    for (const event of calendar.events) {
        if (query.singleEvents && isMaster(event)) {
            // "only single instances of deleted events (but not the underlying recurring events)" are listed.
            if (event.status !== 'cancelled') all.push(...expand(store, calendar, event, query));
            continue;
        }
        if (query.singleEvents && event.recurringEventId && store.stored(calendar, event.recurringEventId)) continue;
        if (visible(store, calendar, event, query)) all.push(event);
    }
    if (query.orderBy === 'startTime') all.sort((a, b) => a.start.ms - b.start.ms || (a.id < b.id ? -1 : 1));
    else if (query.orderBy === 'updated') all.sort((a, b) => a.updated - b.updated || a.index - b.index);
    const offset = page ? page.after : 0;
    const slice = all.slice(offset, offset + query.maxResults);
    const end = offset + slice.length;
    const next = end < all.length ? { kind: 'o' as const, query: query.key, after: end, snapshot, mark: snapshot } : null;
    return { items: slice.map((event) => render(store, calendar, event, query)), next, snapshot };
}

/** The instances of a live master, with its exceptions in place of the instances they replace. */
function expand(store: CalendarStore, calendar: StoredCalendar, master: StoredEvent, query: ListQuery): StoredEvent[] {
    const series = store.series(calendar, master);
    if (!series) return [];
    const duration = master.end.ms - master.start.ms;
    const from = query.timeMin === null ? -Infinity : query.timeMin - duration + 1;
    const to = query.timeMax ?? store.now() + EXPANSION_HORIZON_MS;
    const exceptions = new Map(store.exceptionsOf(calendar, master.id).map((exception) => [exception.id, exception]));
    const out: StoredEvent[] = [];
    for (const at of occurrences(series, from, to)) {
        const instance = store.instance(master, at);
        const exception = exceptions.get(instance.id);
        exceptions.delete(instance.id);
        const candidate = exception ?? instance;
        if (visible(store, calendar, candidate, query)) out.push(candidate);
    }
    // Exceptions moved away from their original slot still show up where they now are.
    for (const exception of exceptions.values()) if (visible(store, calendar, exception, query)) out.push(exception);
    return out;
}

function isMaster(event: StoredEvent): boolean {
    return event.recurrence !== undefined && event.recurringEventId === undefined;
}

function visible(store: CalendarStore, calendar: StoredCalendar, event: StoredEvent, query: ListQuery): boolean {
    if (event.status === 'cancelled') {
        // "Cancelled instances of recurring events (but not the underlying recurring event) will still be included
        // if showDeleted and singleEvents are both False" (events.list, showDeleted): the instances of a recurring
        // event that is itself cancelled too, as recorded listings show; with updatedMin, deletions since then
        // always are.
        const cancelledInstance = !query.singleEvents && event.recurringEventId !== undefined;
        const deletedSince = query.updatedMin !== null && event.updated >= query.updatedMin;
        if (!query.showDeleted && !cancelledInstance && !deletedSince) return false;
    }
    if (query.updatedMin !== null && event.updated < query.updatedMin) return false;
    if (query.iCalUID !== null && `${event.recurringEventId ?? event.id}@google.com` !== query.iCalUID) return false;
    for (const constraint of query.extendedProperties) {
        if (event.extendedProperties?.[constraint.scope]?.[constraint.name] !== constraint.value) return false;
    }
    if (query.q !== null && !matchesText(event, query.q)) return false;
    if (query.timeMin !== null || query.timeMax !== null) {
        const span =
            isMaster(event) && !query.singleEvents ? store.seriesSpan(calendar, event) : { start: event.start.ms, end: event.end.ms };
        const end = span.end === span.start ? span.end + 1 : span.end;
        if (query.timeMin !== null && end <= query.timeMin) return false;
        if (query.timeMax !== null && span.start >= query.timeMax) return false;
    }
    return true;
}

function matchesText(event: StoredEvent, q: string): boolean {
    const needle = q.toLowerCase();
    const fields = [
        event.summary,
        event.description,
        event.location,
        event.organizer.email,
        ...(event.attendees ?? []).map((a) => a.email)
    ];
    return fields.some((field) => field !== undefined && field.toLowerCase().includes(needle));
}

function render(store: CalendarStore, calendar: StoredCalendar, event: StoredEvent, query: ListQuery): calendar_v3.Schema$Event {
    const zone = query.timeZone ?? calendar.timeZone;
    if (event.status !== 'cancelled') return renderEvent(event, calendar, store.user, zone);
    // Incremental listings without showDeleted give deleted events without their details (events#status).
    const details = query.syncToken === null || query.showDeleted;
    return renderCancelled(event, calendar, store.user, details, zone);
}
