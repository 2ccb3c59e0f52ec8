import { HttpResponse } from 'msw';
import type { ApiCore } from '../common/core.js';
import { googleLegacyError } from '../common/google-errors.js';
import { findRoute, GMAIL_HOST, serveRoute, type Route } from './router.js';

/**
 * Google's batch endpoint for Gmail: a multipart/mixed body of up to 100 `application/http` parts, each an HTTP
 * request of its own. Each inner call is served exactly as if sent alone (faults, auth, quota units, its own status)
 * and the answers come back in one 200 multipart/mixed response, in order, with `response-` Content-IDs. Headers of
 * the outer request other than Content-* apply to every inner call unless the call sets them itself. The inner
 * calls are served concurrently, so a batch costs about one call's latency.
 * https://developers.google.com/gmail/api/guides/batch
 */
export const BATCH_PATH = '/batch/gmail/v1';
export const BATCH_LIMIT = 100;

interface InnerRequest {
    contentId: string | undefined;
    method: string;
    target: string;
    headers: [string, string][];
    body: string;
}

function splitHead(text: string): { head: string; body: string } {
    const match = /\r?\n\r?\n/.exec(text);
    return match ? { head: text.slice(0, match.index), body: text.slice(match.index + match[0].length) } : { head: text, body: '' };
}

function headerLines(head: string): [string, string][] {
    const out: [string, string][] = [];
    for (const line of head.split(/\r?\n/)) {
        const colon = line.indexOf(':');
        if (colon > 0) out.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
    }
    return out;
}

class BatchError extends Error {}

function parseBatch(contentType: string, body: string): InnerRequest[] {
    const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
    if (!contentType.toLowerCase().startsWith('multipart/mixed') || !boundary)
        throw new BatchError('Batch requests need a multipart/mixed body with a boundary');
    const delimiter = `--${boundary}`;
    const chunks: string[] = [];
    let current: string[] | null = null;
    for (const line of body.split(/\r?\n/)) {
        const trimmed = line.trimEnd();
        if (trimmed === delimiter || trimmed === `${delimiter}--`) {
            if (current) chunks.push(current.join('\r\n'));
            current = trimmed === delimiter ? [] : null;
            if (current === null) break;
            continue;
        }
        current?.push(line);
    }
    return chunks.map((chunk) => {
        const part = splitHead(chunk);
        const partHeaders = headerLines(part.head);
        const type = partHeaders.find(([name]) => name.toLowerCase() === 'content-type')?.[1] ?? '';
        if (!type.toLowerCase().startsWith('application/http'))
            throw new BatchError(`Each batch part must be application/http, got "${type}"`);
        const http = splitHead(part.body.replace(/^(\r?\n)+/, ''));
        const [requestLine = '', ...rest] = http.head.split(/\r?\n/);
        const match = /^([A-Z]+)\s+(\S+)(?:\s+HTTP\/\d(?:\.\d)?)?$/.exec(requestLine.trim());
        if (!match) throw new BatchError(`Malformed request line in batch part: "${requestLine}"`);
        return {
            contentId: partHeaders.find(([name]) => name.toLowerCase() === 'content-id')?.[1],
            method: match[1]!,
            target: match[2]!,
            headers: headerLines(rest.join('\r\n')),
            body: http.body.replace(/\r?\n$/, '')
        };
    });
}

function innerRequest(outer: Request, inner: InnerRequest): Request {
    const headers = new Headers();
    outer.headers.forEach((value, name) => {
        if (!name.toLowerCase().startsWith('content-')) headers.set(name, value);
    });
    for (const [name, value] of inner.headers) headers.set(name, value);
    const url = inner.target.startsWith('http') ? inner.target : `${GMAIL_HOST}${inner.target.startsWith('/') ? '' : '/'}${inner.target}`;
    const hasBody = inner.body.length > 0 && inner.method !== 'GET' && inner.method !== 'DELETE';
    return new Request(url, { method: inner.method, headers, ...(hasBody ? { body: inner.body } : {}) });
}

const reasons: Readonly<Record<number, string>> = {
    200: 'OK',
    204: 'No Content',
    400: 'Bad Request',
    401: 'Unauthorized',
    403: 'Forbidden',
    404: 'Not Found',
    413: 'Payload Too Large',
    429: 'Too Many Requests',
    500: 'Internal Server Error',
    502: 'Bad Gateway',
    503: 'Service Unavailable',
    504: 'Gateway Timeout'
};

async function renderPart(response: Response, contentId: string | undefined): Promise<string> {
    const body = await response.text();
    const lines = ['Content-Type: application/http'];
    if (contentId) lines.push(`Content-ID: <response-${contentId.replace(/^<|>$/g, '')}>`);
    const inner = [`HTTP/1.1 ${response.status} ${reasons[response.status] ?? ''}`.trimEnd()];
    for (const name of ['content-type', 'retry-after']) {
        const value = response.headers.get(name);
        if (value) inner.push(`${name === 'content-type' ? 'Content-Type' : 'Retry-After'}: ${value}`);
    }
    inner.push(`Content-Length: ${Buffer.byteLength(body)}`);
    return `${lines.join('\r\n')}\r\n\r\n${inner.join('\r\n')}\r\n\r\n${body}`;
}

export async function serveBatch(core: ApiCore, routes: readonly Route[], request: Request): Promise<Response> {
    const fault = core.faults.take('batch');
    if (fault?.kind === 'network') return HttpResponse.error();
    if (fault?.kind === 'status') return googleLegacyError(fault.status, fault.reason ?? 'backendError', 'Backend Error');
    let inner: InnerRequest[];
    try {
        inner = parseBatch(request.headers.get('content-type') ?? '', await request.text());
    } catch (error) {
        if (error instanceof BatchError) return googleLegacyError(400, 'badRequest', error.message);
        throw error;
    }
    if (inner.length === 0) return googleLegacyError(400, 'badRequest', 'Batch request contains no parts');
    if (inner.length > BATCH_LIMIT)
        return googleLegacyError(400, 'badRequest', `A batch may hold at most ${BATCH_LIMIT} calls, got ${inner.length}`);

    const responses = await Promise.all(
        inner.map(async (call) => {
            const req = innerRequest(request, call);
            const found = findRoute(routes, req.method, new URL(req.url).pathname);
            if (!found) return googleLegacyError(404, 'notFound', 'Not Found');
            return serveRoute(core, found.route, req, found.params);
        })
    );
    // A dropped inner answer means the connection dropped: the client sees the whole batch fail.
    if (responses.some((response) => response.type === 'error') || fault?.kind === 'drop-response') return HttpResponse.error();
    if (fault?.kind === 'applied-then-status') return googleLegacyError(fault.status, 'backendError', 'Backend Error');
    const boundary = `batch_${Math.floor(core.clock.now()).toString(36)}_${inner.length}`;
    const parts = await Promise.all(responses.map((response, i) => renderPart(response, inner[i]!.contentId)));
    const body = `${parts.map((part) => `--${boundary}\r\n${part}\r\n`).join('')}--${boundary}--\r\n`;
    return new HttpResponse(body, { status: 200, headers: { 'content-type': `multipart/mixed; boundary=${boundary}` } });
}
