import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';

/** One request as the routes read it. */
export interface ApiRequest {
    method: string;
    /** The path without the query string, e.g. `/connection/local`. */
    path: string;
    /** The path with its query string, as received (the proxy forwards it). */
    rawUrl: string;
    query: URLSearchParams;
    headers: IncomingHttpHeaders;
    /** Header names and values in the order received (Nango reads `Nango-Proxy-*` from these). */
    rawHeaders: string[];
    body: Buffer;
}

export interface ApiResponse {
    status: number;
    headers?: Record<string, string>;
    /** A JSON value (sent as JSON) or raw bytes. */
    body?: unknown;
}

export const json = (status: number, body: unknown): ApiResponse => ({ status, body });

/** Nango's error body: `{ error: { code, message } }` (packages/shared/lib/utils/error.manager.ts, errRes). */
export const nangoError = (status: number, code: string, message?: string, extra: Record<string, unknown> = {}): ApiResponse =>
    json(status, { error: { ...(message === undefined ? {} : { message }), code, ...extra } });

/** What Nango's routes answer when zod refuses a part of the request: `{ error: { code, errors } }`. */
export function invalid(
    code: 'invalid_query_params' | 'invalid_body' | 'invalid_headers' | 'invalid_uri_params',
    error: z.ZodError
): ApiResponse {
    // zodErrorToHTTP in packages/utils/lib/express/validate.ts.
    const errors = error.issues.map(({ code: issue, message, path }) => ({ code: issue, message, path: path.map(String) }));
    return json(400, { error: { code, errors } });
}

/** The query as an object the way express parses it: a repeated key becomes an array. */
export function queryObject(query: URLSearchParams): Record<string, string | string[]> {
    const object: Record<string, string | string[]> = {};
    for (const key of new Set(query.keys())) {
        const values = query.getAll(key);
        object[key] = values.length > 1 ? values : values[0]!;
    }
    return object;
}

/** The request body parsed as JSON, or a Nango `invalid_json` answer (its error handler in routes.ts). */
export function jsonBody(req: ApiRequest): { value: unknown } | { error: ApiResponse } {
    if (req.body.length === 0) return { value: undefined };
    try {
        return { value: JSON.parse(req.body.toString('utf8')) as unknown };
    } catch (err) {
        return { error: nangoError(400, 'invalid_json', (err as Error).message) };
    }
}

export function header(req: ApiRequest, name: string): string | undefined {
    const value = req.headers[name.toLowerCase()];
    return Array.isArray(value) ? value.join(', ') : value;
}

export async function readRequest(incoming: IncomingMessage): Promise<ApiRequest> {
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const rawUrl = incoming.url ?? '/';
    const url = new URL(rawUrl, 'http://127.0.0.1');
    return {
        method: (incoming.method ?? 'GET').toUpperCase(),
        path: url.pathname,
        rawUrl,
        query: url.searchParams,
        headers: incoming.headers,
        rawHeaders: incoming.rawHeaders,
        body: Buffer.concat(chunks)
    };
}

export function writeResponse(res: ServerResponse, answer: ApiResponse): void {
    const headers: Record<string, string> = { ...answer.headers };
    let payload: Buffer | undefined;
    if (Buffer.isBuffer(answer.body)) {
        payload = answer.body;
    } else if (answer.body !== undefined) {
        payload = Buffer.from(JSON.stringify(answer.body));
        headers['content-type'] = 'application/json; charset=utf-8';
    }
    if (payload !== undefined && answer.status !== 204) headers['content-length'] = String(payload.length);
    res.writeHead(answer.status, headers);
    res.end(answer.status === 204 ? undefined : payload);
}
