import { http, HttpResponse, type HttpHandler } from 'msw';
import type { ApiCore } from '../common/core.js';
import { CalendarError, calendarErrors } from './errors.js';
import { listEvents, parseListQuery } from './listing.js';
import { renderCalendar, renderEvent, renderListEntry } from './render.js';
import type { CalendarStore, SendUpdates, WriteOptions } from './store.js';
import { isValidTimeZone } from './time.js';
import { encodePageToken, decodePageToken, fnv1a } from './tokens.js';

export const CALENDAR_BASE = 'https://www.googleapis.com/calendar/v3';

/** A Calendar URL pattern for msw. */
function calendarUrl(path: string): string {
    return `${CALENDAR_BASE}${path}`;
}

/** A path parameter; msw has already percent-decoded it once (`en.usa%23holiday%40...` is `en.usa#holiday@...`). */
function segment(value: string | readonly string[] | undefined): string {
    return typeof value === 'string' ? value : '';
}

async function answer(run: () => Response | Promise<Response>): Promise<Response> {
    try {
        return await run();
    } catch (error) {
        if (error instanceof CalendarError) return error.toResponse();
        throw error;
    }
}

function writeOptions(url: URL, request: Request): WriteOptions {
    const raw = url.searchParams.get('conferenceDataVersion');
    let conferenceDataVersion = 0;
    if (raw !== null) {
        if (raw !== '0' && raw !== '1')
            throw calendarErrors.invalid(`Invalid value '${raw}'. Values must be within the range: [0, 1]`, 'conferenceDataVersion');
        conferenceDataVersion = Number(raw);
    }
    const send = url.searchParams.get('sendUpdates');
    let sendUpdates: SendUpdates = url.searchParams.get('sendNotifications') === 'true' ? 'all' : 'none';
    if (send !== null) {
        if (send !== 'all' && send !== 'externalOnly' && send !== 'none')
            throw calendarErrors.invalid(`Invalid value for: sendUpdates`, 'sendUpdates');
        sendUpdates = send;
    }
    return { conferenceDataVersion, sendUpdates, ifMatch: request.headers.get('if-match') };
}

async function jsonBody(request: Request): Promise<unknown> {
    const text = await request.text();
    try {
        return JSON.parse(text) as unknown;
    } catch {
        throw calendarErrors.badRequest();
    }
}

export function calendarHandlers(core: ApiCore, store: CalendarStore): HttpHandler[] {
    return [
        // https://developers.google.com/workspace/calendar/api/v3/reference/calendarList/list
        http.get(calendarUrl('/users/me/calendarList'), ({ request }) =>
            core.serve('calendarList.list', 1, request, () =>
                answer(() => {
                    const url = new URL(request.url);
                    if (url.searchParams.has('syncToken')) {
                        throw calendarErrors.invalid('Incremental calendar list sync is not simulated.', 'syncToken');
                    }
                    const rawMax = url.searchParams.get('maxResults');
                    const max = rawMax === null ? 100 : Number(rawMax);
                    if (!Number.isInteger(max) || max < 1) throw calendarErrors.invalid(`Invalid value '${rawMax}'.`, 'maxResults');
                    const key = fnv1a([...url.searchParams].filter(([name]) => name !== 'pageToken' && name !== 'maxResults').join('&'));
                    const token = url.searchParams.get('pageToken');
                    const page = token === null ? null : decodePageToken(token);
                    if (token !== null && (!page || page.kind !== 'o' || page.query !== key)) {
                        throw calendarErrors.invalid('Invalid page token value.', 'pageToken');
                    }
                    const minRole = url.searchParams.get('minAccessRole');
                    const ranks = ['freeBusyReader', 'reader', 'writer', 'owner'];
                    if (minRole !== null && !ranks.includes(minRole))
                        throw calendarErrors.invalid('Invalid value for: minAccessRole', 'minAccessRole');
                    const calendars = store
                        .listed()
                        .filter((calendar) => minRole === null || ranks.indexOf(calendar.accessRole) >= ranks.indexOf(minRole));
                    const offset = page?.after ?? 0;
                    const slice = calendars.slice(offset, offset + Math.min(max, 250));
                    const end = offset + slice.length;
                    return HttpResponse.json({
                        kind: 'calendar#calendarList',
                        etag: `"p${store.listed().length}"`,
                        ...(end < calendars.length
                            ? { nextPageToken: encodePageToken({ kind: 'o', query: key, after: end, snapshot: 0, mark: 0 }) }
                            : {}),
                        items: slice.map(renderListEntry)
                    });
                })
            )
        ),

        // https://developers.google.com/workspace/calendar/api/v3/reference/calendarList/get
        // (Nango's own post-connection hook reads `primary` here for connection_config.emailAddressHash.)
        http.get(calendarUrl('/users/me/calendarList/:calendarId'), ({ request, params }) =>
            core.serve('calendarList.get', 1, request, () =>
                answer(() => {
                    const calendar = store.require(segment(params['calendarId']));
                    if (!calendar.inList) throw calendarErrors.notFound();
                    return HttpResponse.json(renderListEntry(calendar));
                })
            )
        ),

        // https://developers.google.com/workspace/calendar/api/v3/reference/calendars/get
        http.get(calendarUrl('/calendars/:calendarId'), ({ request, params }) =>
            core.serve('calendars.get', 1, request, () =>
                answer(() => HttpResponse.json(renderCalendar(store.require(segment(params['calendarId'])))))
            )
        ),

        // https://developers.google.com/workspace/calendar/api/v3/reference/events/list
        http.get(calendarUrl('/calendars/:calendarId/events'), ({ request, params }) =>
            core.serve('events.list', 1, request, () =>
                answer(() => {
                    const calendar = store.require(segment(params['calendarId']));
                    const query = parseListQuery(new URL(request.url).searchParams, calendar.id, store.pageLimit);
                    return HttpResponse.json(listEvents(store, calendar, query));
                })
            )
        ),

        // https://developers.google.com/workspace/calendar/api/v3/reference/events/insert
        http.post(calendarUrl('/calendars/:calendarId/events'), ({ request, params }) =>
            core.serve('events.insert', 1, request, () =>
                answer(async () => {
                    const calendar = store.require(segment(params['calendarId']));
                    const options = writeOptions(new URL(request.url), request);
                    const event = store.insert(calendar, await jsonBody(request), options);
                    return HttpResponse.json(renderEvent(event, calendar, store.user));
                })
            )
        ),

        // https://developers.google.com/workspace/calendar/api/v3/reference/events/watch
        http.post(calendarUrl('/calendars/:calendarId/events/watch'), ({ request, params }) =>
            core.serve('events.watch', 1, request, () =>
                answer(async () => {
                    const requested = segment(params['calendarId']);
                    const calendar = store.require(requested);
                    // The URI Google names the watched collection by: the path as requested, with `?alt=json`.
                    const uri = `${CALENDAR_BASE}/calendars/${encodeURIComponent(requested)}/events?alt=json`;
                    return HttpResponse.json(store.channels.watch(calendar.id, uri, await jsonBody(request)));
                })
            )
        ),

        // https://developers.google.com/workspace/calendar/api/v3/reference/channels/stop
        http.post(calendarUrl('/channels/stop'), ({ request }) =>
            core.serve('channels.stop', 1, request, () =>
                answer(async () => {
                    store.channels.stop(await jsonBody(request));
                    return new HttpResponse(null, { status: 204 });
                })
            )
        ),

        // https://developers.google.com/workspace/calendar/api/v3/reference/events/get
        http.get(calendarUrl('/calendars/:calendarId/events/:eventId'), ({ request, params }) =>
            core.serve('events.get', 1, request, () =>
                answer(() => {
                    const calendar = store.require(segment(params['calendarId']));
                    // A deleted event is still returned, with status "cancelled".
                    const event = store.find(calendar, segment(params['eventId']));
                    if (!event) throw calendarErrors.notFound();
                    // "timeZone: Time zone used in the response. The default is the time zone of the calendar."
                    const timeZone = new URL(request.url).searchParams.get('timeZone');
                    if (timeZone !== null && !isValidTimeZone(timeZone))
                        throw calendarErrors.invalid('Invalid time zone definition.', 'timeZone');
                    return HttpResponse.json(renderEvent(event, calendar, store.user, timeZone ?? calendar.timeZone));
                })
            )
        ),

        // https://developers.google.com/workspace/calendar/api/v3/reference/events/patch
        http.patch(calendarUrl('/calendars/:calendarId/events/:eventId'), ({ request, params }) =>
            core.serve('events.patch', 1, request, () =>
                answer(async () => {
                    const calendar = store.require(segment(params['calendarId']));
                    const options = writeOptions(new URL(request.url), request);
                    const event = store.patch(calendar, segment(params['eventId']), await jsonBody(request), options);
                    return HttpResponse.json(renderEvent(event, calendar, store.user));
                })
            )
        ),

        // https://developers.google.com/workspace/calendar/api/v3/reference/events/delete
        http.delete(calendarUrl('/calendars/:calendarId/events/:eventId'), ({ request, params }) =>
            core.serve('events.delete', 1, request, () =>
                answer(() => {
                    const calendar = store.require(segment(params['calendarId']));
                    const { sendUpdates, ifMatch } = writeOptions(new URL(request.url), request);
                    store.remove(calendar, segment(params['eventId']), { sendUpdates, ifMatch });
                    return new HttpResponse(null, { status: 204 });
                })
            )
        )
    ];
}
