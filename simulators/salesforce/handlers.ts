/**
 * Thin msw handlers for the REST API under `<instance_url>/services/data/vXX.X`: each route parses the request, asks
 * the store, and answers in Salesforce's shapes. Unknown routes and versions answer 404 NOT_FOUND as Salesforce does.
 */
import { http, HttpResponse, type HttpHandler } from 'msw';
import type { ApiCore } from '../common/core.js';
import { errorResponse, NOT_FOUND_MESSAGE, SalesforceApiError } from './errors.js';
import { SoqlError } from './soql/errors.js';
import { to18 } from './ids.js';
import type { SalesforceStore } from './store.js';
import { parseDateTime } from './values.js';

/** Versions an org serves today: Summer '14 (31.0) to Summer '26 (67.0); older ones are retired. */
export const OLDEST_VERSION = 31;
export const LATEST_VERSION = 67;
const SEASONS = ['Spring', 'Summer', 'Winter'] as const;
const DEFAULT_BATCH = 2000;

export function versionLabel(major: number): string {
    // 31.0 is Summer '14; each release adds one, three releases a year (Winter carries the next year's number).
    const index = major - 31 + 1;
    const season = SEASONS[index % 3]!;
    const year = 14 + Math.floor((index + (season === 'Winter' ? 1 : 0)) / 3);
    return `${season} '${String(year).padStart(2, '0')}`;
}

interface Route {
    method: string;
    /** The store call this request is metered as. */
    name: string;
    run: (request: Request, version: string) => Promise<Response> | Response;
}

export function salesforceHandlers(instanceUrl: string, core: ApiCore, store: SalesforceStore): HttpHandler[] {
    const base = instanceUrl.replace(/\/+$/, '');
    return [
        http.all(`${base}/services/*`, async ({ request }) => {
            const url = new URL(request.url);
            const segments = url.pathname.split('/').filter((s) => s !== '');
            // /services/data/ lists the versions and needs no session.
            // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_versions.htm
            if (segments.length === 2 && segments[1] === 'data' && request.method === 'GET') {
                const versions = [];
                for (let major = OLDEST_VERSION; major <= LATEST_VERSION; major += 1) {
                    versions.push({ label: versionLabel(major), url: `/services/data/v${major}.0`, version: `${major}.0` });
                }
                return HttpResponse.json(versions);
            }
            // The OpenID Connect UserInfo endpoint: who the token belongs to, in which org.
            // https://help.salesforce.com/s/articleView?id=sf.remoteaccess_using_userinfo_endpoint.htm
            if (segments.length === 3 && segments[1] === 'oauth2' && segments[2] === 'userinfo') {
                return core.serve('userinfo', 1, request, () =>
                    request.method === 'GET' || request.method === 'POST'
                        ? HttpResponse.json(userInfo(base, store))
                        : errorResponse(405, [{ errorCode: 'METHOD_NOT_ALLOWED', message: `HTTP Method '${request.method}' not allowed` }])
                );
            }
            const route =
                segments[0] === 'services' && segments[1] === 'data'
                    ? resolveRoute(store, core, request.method, segments.slice(2), url)
                    : undefined;
            const name = route?.name ?? 'unknown';
            const response = await core.serve(name, 1, request, async () => {
                const version = segments[2] ?? '';
                const major = /^v(\d+)\.0$/.exec(version);
                if (!route || !major || Number(major[1]) < OLDEST_VERSION || Number(major[1]) > LATEST_VERSION) {
                    return errorResponse(404, [{ errorCode: 'NOT_FOUND', message: NOT_FOUND_MESSAGE }]);
                }
                if (route.method !== request.method) {
                    return errorResponse(405, [
                        {
                            errorCode: 'METHOD_NOT_ALLOWED',
                            message: `HTTP Method '${request.method}' not allowed. Allowed are ${route.method}`
                        }
                    ]);
                }
                try {
                    return await route.run(request, version);
                } catch (error) {
                    if (error instanceof SalesforceApiError) return errorResponse(error.status, error.errors);
                    if (error instanceof SoqlError) return errorResponse(400, [{ message: error.message, errorCode: error.errorCode }]);
                    throw error;
                }
            });
            return withLimitInfo(response, core);
        })
    ];
}

/** The simulated org's id (00D is the Organization key prefix). */
const ORG_ID = to18('00D5g00000ACMEo');

/** The UserInfo answer for the integration user, the fields the scripts read and their neighbours. */
function userInfo(base: string, store: SalesforceStore): Record<string, unknown> {
    const userId = store.integrationUser;
    const user = store.table('User').get(userId.slice(0, 15)) ?? {};
    const text = (field: string) => (typeof user[field] === 'string' ? (user[field] as string) : null);
    return {
        sub: `https://login.salesforce.com/id/${ORG_ID}/${userId}`,
        user_id: userId,
        organization_id: ORG_ID,
        preferred_username: text('Username'),
        nickname: text('FirstName'),
        name: text('Name'),
        email: text('Email'),
        email_verified: true,
        given_name: text('FirstName'),
        family_name: text('LastName'),
        active: user['IsActive'] === true,
        user_type: 'STANDARD',
        urls: {
            rest: `${base}/services/data/v{version}/`,
            sobjects: `${base}/services/data/v{version}/sobjects/`,
            query: `${base}/services/data/v{version}/query/`
        }
    };
}

/** Every answer of an authenticated session reports the org's usage of its daily allowance. */
function withLimitInfo(response: Response, core: ApiCore): Response {
    if (response.type === 'error' || response.status === 401) return response;
    const headers = new Headers(response.headers);
    headers.set('Sforce-Limit-Info', `api-usage=${core.limit.used(core.clock.now())}/${core.limit.capacity}`);
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

function resolveRoute(store: SalesforceStore, core: ApiCore, method: string, path: string[], url: URL): Route | undefined {
    const [, resource, ...rest] = path;
    if (resource === 'query' || resource === 'queryAll') {
        const all = resource === 'queryAll';
        if (rest.length === 0) {
            // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_query.htm
            // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_queryall.htm
            return {
                method: 'GET',
                name: resource,
                run: (request, version) => {
                    const q = url.searchParams.get('q');
                    if (q === null || q.trim() === '')
                        throw SalesforceApiError.one(400, 'MALFORMED_QUERY', 'A query string has to be specified');
                    return HttpResponse.json(store.query(q, { all, version, batchSize: batchSize(request) }));
                }
            };
        }
        if (rest.length === 1) {
            // nextRecordsUrl: /query/<locator>-<offset of the page's first row>
            return {
                method: 'GET',
                name: 'queryMore',
                run: () => {
                    const match = /^([a-zA-Z0-9]{15,18})-(\d+)$/.exec(rest[0]!);
                    if (!match) throw SalesforceApiError.one(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
                    return HttpResponse.json(store.queryMore(match[1]!, Number(match[2])));
                }
            };
        }
        return undefined;
    }
    if (resource === 'limits' && rest.length === 0) {
        // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_limits.htm
        return {
            method: 'GET',
            name: 'limits',
            run: () => {
                const max = core.limit.capacity;
                return HttpResponse.json({
                    DailyApiRequests: { Max: max, Remaining: Math.max(0, max - core.limit.used(core.clock.now())) }
                });
            }
        };
    }
    if (resource !== 'sobjects' || rest.length === 0) return undefined;
    const [type, second, third] = rest;
    if (rest.length === 1) {
        // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_sobject_create.htm
        return {
            method: method === 'GET' ? 'GET' : 'POST',
            name: method === 'GET' ? 'sobject.info' : 'sobject.create',
            run: async (request) => {
                if (request.method === 'GET') return HttpResponse.json({ objectDescribe: store.describe(type!), recentItems: [] });
                const id = store.create(type!, await jsonBody(request));
                return HttpResponse.json({ id, success: true, errors: [] }, { status: 201 });
            }
        };
    }
    if (rest.length === 2 && second === 'describe') {
        // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_sobject_describe.htm
        return { method: 'GET', name: 'describe', run: () => HttpResponse.json(store.describe(type!)) };
    }
    if (rest.length === 2 && second === 'deleted' && third === undefined) {
        // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_getdeleted.htm
        return {
            method: 'GET',
            name: 'deleted',
            run: () => {
                const start = parseDateTime(url.searchParams.get('start') ?? '');
                const end = parseDateTime(url.searchParams.get('end') ?? '');
                return HttpResponse.json(store.deletedBetween(type!, start, end));
            }
        };
    }
    if (rest.length === 3) {
        const [, fieldName, value] = rest.map((part) => decodeURIComponent(part));
        // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_upsert.htm
        return {
            method: ['GET', 'PATCH'].includes(method) ? method : 'GET, PATCH',
            name: method === 'PATCH' ? 'sobject.upsert' : 'sobject.getByExternalId',
            run: async (request, version) => {
                const answer =
                    request.method === 'PATCH'
                        ? store.upsert(type!, fieldName!, value!, await jsonBody(request), version)
                        : store.getByExternalId(type!, fieldName!, value!, version);
                if ('matches' in answer) return HttpResponse.json(answer.matches, { status: 300 });
                if ('record' in answer) return HttpResponse.json(answer.record);
                // Since API 46.0 an update answers 200 with created: false (204 No Content before).
                return HttpResponse.json(
                    { id: answer.id, success: true, errors: [], created: answer.created },
                    { status: answer.created ? 201 : 200 }
                );
            }
        };
    }
    if (rest.length === 2) {
        const id = second!;
        const name = method === 'PATCH' ? 'sobject.update' : method === 'DELETE' ? 'sobject.delete' : 'sobject.get';
        // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_sobject_retrieve.htm
        return {
            method: ['GET', 'PATCH', 'DELETE'].includes(method) ? method : 'GET, PATCH, DELETE',
            name,
            run: async (request, version) => {
                if (request.method === 'PATCH') {
                    store.update(type!, id, await jsonBody(request), conditions(request));
                    return new HttpResponse(null, { status: 204 });
                }
                if (request.method === 'DELETE') {
                    store.delete(type!, id);
                    return new HttpResponse(null, { status: 204 });
                }
                const fields = url.searchParams.get('fields');
                return HttpResponse.json(store.getRecord(type!, id, version, fields ? fields.split(',').map((f) => f.trim()) : undefined));
            }
        };
    }
    return undefined;
}

/**
 * If-Unmodified-Since on a PATCH, an HTTP-date (RFC 9110), e.g. `Tue, 10 Aug 2015 00:00:00 GMT`.
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/intro_rest_conditional_requests.htm:
 * an invalid value on a PATCH or POST is answered 400 (the body's error code is not documented; this one is ours).
 */
function conditions(request: Request): { ifUnmodifiedSince?: number } {
    const header = request.headers.get('if-unmodified-since');
    if (header === null) return {};
    const ms = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(header) ? Date.parse(header) : NaN;
    if (Number.isNaN(ms)) throw SalesforceApiError.one(400, 'INVALID_HEADER_TYPE', `Invalid If-Unmodified-Since header: ${header}`);
    return { ifUnmodifiedSince: ms };
}

/** `Sforce-Query-Options: batchSize=N`: 200 to 2,000, default 2,000. */
function batchSize(request: Request): number {
    const header = request.headers.get('sforce-query-options') ?? '';
    const match = /(?:^|[,;\s])batchSize=(\d+)/i.exec(header);
    if (!match) return DEFAULT_BATCH;
    return Math.min(2000, Math.max(200, Number(match[1])));
}

async function jsonBody(request: Request): Promise<unknown> {
    const text = await request.text();
    try {
        return JSON.parse(text);
    } catch {
        throw SalesforceApiError.one(
            400,
            'JSON_PARSER_ERROR',
            `Unexpected character in the request body: it is not JSON at [line:1, column:1]`
        );
    }
}
