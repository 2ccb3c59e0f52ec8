import type { ApiCore } from '../common/core.js';
import { GmailError, unknownParameter } from './errors.js';
import { BadPageToken } from './listing.js';
import { QueryError } from './query.js';
import { SendError } from './send.js';
import { GOOGLE_SYSTEM_PARAMETERS } from '../common/google-params.js';

/**
 * A small router over Gmail's routes, so the msw handlers and the batch endpoint serve a call the same way: the
 * ApiCore checks (faults, auth, latency, quota in units), then the query parameters the method defines (Google
 * refuses others), the userId, and the route's own work.
 */
export const GMAIL_HOST = 'https://gmail.googleapis.com';

export interface RouteContext {
    request: Request;
    url: URL;
    params: Record<string, string>;
    now: number;
}

export interface Route {
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
    /** Path on GMAIL_HOST with `:name` segments, e.g. `/gmail/v1/users/:userId/threads/:id`. */
    path: string;
    /** The method name in Gmail's quota table, used for metering and fault injection. */
    name: string;
    units: number;
    query: string[];
    handle(context: RouteContext): Response | Promise<Response>;
}

export function matchPath(template: string, pathname: string): Record<string, string> | undefined {
    const want = template.split('/');
    const have = pathname.split('/');
    if (want.length !== have.length) return undefined;
    const params: Record<string, string> = {};
    for (let i = 0; i < want.length; i += 1) {
        const segment = want[i]!;
        if (segment.startsWith(':')) params[segment.slice(1)] = decodeURIComponent(have[i]!);
        else if (segment !== have[i]) return undefined;
    }
    return params;
}

export function findRoute(
    routes: readonly Route[],
    method: string,
    pathname: string
): { route: Route; params: Record<string, string> } | undefined {
    for (const route of routes) {
        if (route.method !== method.toUpperCase()) continue;
        const params = matchPath(route.path, pathname);
        if (params) return { route, params };
    }
    return undefined;
}

export function toErrorResponse(error: unknown): Response {
    if (error instanceof GmailError) return error.toResponse();
    if (error instanceof SendError || error instanceof QueryError || error instanceof BadPageToken) {
        const status = error instanceof SendError ? error.status : 400;
        const reason = error instanceof SendError ? error.reason : 'invalidArgument';
        return new GmailError(status, reason, error.message).toResponse();
    }
    throw error;
}

export async function serveRoute(core: ApiCore, route: Route, request: Request, params: Record<string, string>): Promise<Response> {
    return core.serve(route.name, route.units, request, async ({ now }) => {
        const url = new URL(request.url);
        for (const name of url.searchParams.keys()) {
            if (!route.query.includes(name) && !GOOGLE_SYSTEM_PARAMETERS.has(name)) return unknownParameter(name);
        }
        try {
            return await route.handle({ request, url, params, now });
        } catch (error) {
            return toErrorResponse(error);
        }
    });
}
