/**
 * A `nango dryrun --save` recording (`<integration>/tests/<name>.test.json`, the CLI's format:
 * node_modules/nango/dist/services/response-collector.service.js `saveUnifiedMock`), and the way `nango/test`'s
 * mocks find a recorded answer for a request (node_modules/nango/dist/testMocks/utils.js
 * `UnifiedFixtureProvider.getCachedResponse` and `computeUnifiedConfigIdentity`): by method and endpoint, then the
 * request's identity hash, else its params, headers and body one by one.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { ProxyConfiguration } from '@nangohq/runner-sdk';
import { INTEGRATIONS } from '../catalog.js';
import { UserError } from '../errors.js';

export interface RecordedAnswer {
    response: unknown;
    status: number;
    headers?: Record<string, string>;
    hash?: string;
    request?: { params?: Record<string, string>; headers?: Record<string, string>; data?: unknown };
}

export interface Recording {
    input?: unknown;
    output?: unknown;
    nango?: {
        getConnection?: Record<string, unknown>;
        getMetadata?: Record<string, unknown>;
        batchSave?: Record<string, Record<string, unknown>[]>;
        batchDelete?: Record<string, { id: unknown }[]>;
    };
    /** api[method]["/<endpoint>"]: one answer, or several when the same endpoint was called with different requests. */
    api?: Record<string, Record<string, RecordedAnswer | RecordedAnswer[]>>;
}

export interface LoadedRecording {
    file: string;
    integration: string;
    name: string;
    kind: 'sync' | 'action';
    recording: Recording;
}

/**
 * Which script a recording belongs to. The CLI writes `<integration>/tests/<name>.test.json`; we keep ours as
 * `tests/recordings/<integration>/<name>.test.json`: the file's base name is the script, the nearest folder that is
 * an integration id is the integration. A script found in no integration is refused.
 */
export function loadRecording(path: string): LoadedRecording {
    const file = resolve(path);
    if (!existsSync(file)) throw new UserError(`no recording at ${path}`);
    const name = basename(file)
        .replace(/\.test\.json$/, '')
        .replace(/\.json$/, '');
    const parent = basename(dirname(file));
    const folder = parent === 'tests' ? basename(dirname(dirname(file))) : parent;
    const candidates = INTEGRATIONS.filter((entry) => entry.id === folder);
    const owners = (candidates.length > 0 ? candidates : INTEGRATIONS).filter(
        (entry) => entry.syncs.some((s) => s.name === name) || entry.actions.some((a) => a.name === name)
    );
    if (owners.length !== 1) {
        throw new UserError(
            `${path}: cannot tell the script: name it <integration>/<script>.test.json (integrations: ${INTEGRATIONS.map((e) => e.id).join(', ')})`
        );
    }
    const entry = owners[0]!;
    const recording = JSON.parse(readFileSync(file, 'utf8')) as Recording;
    return { file, integration: entry.id, name, kind: entry.syncs.some((s) => s.name === name) ? 'sync' : 'action', recording };
}

/** The part of a request a recording is keyed by (the CLI's `requestIdentity`). */
export interface RequestIdentity {
    method: string;
    endpoint: string;
    params: [string, string][];
    headers: [string, string][];
    data: string | undefined;
}

/**
 * Headers the CLI leaves out of a request's identity (response-collector.service.js `FILTER_HEADERS`): the ones the
 * SDK or Nango adds to every call, so they say nothing about which request it was.
 */
const UNKEYED_HEADERS = new Set([
    'authorization',
    'user-agent',
    'nango-proxy-user-agent',
    'accept-encoding',
    'retries',
    'host',
    'connection-id',
    'provider-config-key',
    'nango-is-sync',
    'nango-is-script',
    'nango-is-dry-run',
    'nango-activity-log-id',
    'content-length',
    'accept',
    'base-url-override',
    'retry-on',
    'forward-headers-on-redirect'
]);

/** The identity the CLI computes for the request a script makes (endpoint with params merged, sorted entries). */
export function requestIdentity(config: ProxyConfiguration): RequestIdentity {
    const method = (config.method ?? 'GET').toLowerCase();
    const endpoint = config.endpoint ?? '';
    const url = /^https?:\/\//.test(endpoint)
        ? new URL(endpoint)
        : new URL(endpoint.startsWith('/') ? endpoint : `/${endpoint}`, 'https://nango.invalid');
    const params = config.params;
    if (typeof params === 'string') {
        for (const [key, value] of new URLSearchParams(params.replace(/^\?/, ''))) url.searchParams.append(key, value);
    } else {
        for (const [key, value] of Object.entries(params ?? {})) {
            if (value === undefined) continue;
            url.searchParams.set(key, Array.isArray(value) ? value.map(String).join(',') : String(value));
        }
    }
    const headers: [string, string][] = [];
    const seen = new Set<string>();
    for (const [raw, value] of Object.entries(config.headers ?? {})) {
        const key = raw.toLowerCase().startsWith('nango-proxy-') ? raw.slice(12) : raw;
        const lower = key.toLowerCase();
        if (seen.has(lower)) continue;
        seen.add(lower);
        if (UNKEYED_HEADERS.has(lower) || isDefaultContentType(lower, String(value))) continue;
        headers.push([key, String(value)]);
    }
    return {
        method,
        endpoint: url.pathname.replace(/^\/proxy\//, '').replace(/^\//, ''),
        params: sortEntries([...url.searchParams.entries()]),
        headers: sortEntries(headers),
        data: dataIdentity(config.data)
    };
}

export function identityHash(identity: RequestIdentity): string {
    return createHash('sha1').update(JSON.stringify(identity)).digest('hex');
}

/** The recorded answer for a request, or null: hash first, then params, headers and body, as nango/test matches. */
export function findAnswer(recording: Recording, identity: RequestIdentity): RecordedAnswer | null {
    const byEndpoint = recording.api?.[identity.method];
    const entry = byEndpoint?.[`/${identity.endpoint}`] ?? byEndpoint?.[identity.endpoint];
    if (!entry) return null;
    const answers = Array.isArray(entry) ? entry : [entry];
    const hash = identityHash(identity);
    return (
        answers.find((answer) => answer.hash === hash) ??
        answers.find((answer) => sameRequest(answer, identity)) ??
        answers.find((answer) => sameRequest(answer, identity, timeTolerant)) ??
        null
    );
}

/**
 * A recording does not say when it was made to the millisecond (only its answers' HTTP `date`, to the second), so a
 * param a script derives from the clock (Calendar's `timeMin`: now minus the backfill window) cannot be sent again
 * exactly. Two ISO 8601 times less than a minute apart count as the same value; nothing else is loosened.
 */
const TIME_TOLERANCE_MS = 60_000;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function timeTolerant(recorded: string, sent: string): boolean {
    if (recorded === sent) return true;
    if (!ISO_TIME.test(recorded) || !ISO_TIME.test(sent)) return false;
    return Math.abs(Date.parse(recorded) - Date.parse(sent)) < TIME_TOLERANCE_MS;
}

const exactly = (recorded: string, sent: string) => recorded === sent;

function sameRequest(answer: RecordedAnswer, identity: RequestIdentity, same = exactly): boolean {
    const request = answer.request;
    if (!request) return false;
    if (!sameEntries(Object.entries(request.params ?? {}), identity.params, same)) return false;
    const headers = (entries: [string, string][]) =>
        entries
            .map(([key, value]) => [key.toLowerCase(), String(value)] as [string, string])
            .filter(([key, value]) => !isDefaultContentType(key, value));
    if (!sameEntries(headers(Object.entries(request.headers ?? {})), headers(identity.headers))) return false;
    return request.data === undefined || dataIdentity(request.data) === identity.data;
}

function sameEntries(recorded: [string, string][], sent: [string, string][], same = exactly): boolean {
    if (recorded.length !== sent.length) return false;
    const other = new Map(sent);
    return recorded.every(([key, value]) => other.has(key) && same(String(value), other.get(key)!));
}

/** axios's default content types are not part of a request's identity (isAxiosDefaultContentTypeForMockIdentity). */
function isDefaultContentType(key: string, value: string): boolean {
    if (key.toLowerCase() !== 'content-type') return false;
    const lower = value.toLowerCase();
    return lower === 'application/json' || lower === 'undefined' || lower.startsWith('application/x-www-form-urlencoded');
}

/** The body as the CLI keys it: the string, base64 of bytes, or JSON; over 1,000 characters, its sha1. */
function dataIdentity(data: unknown): string | undefined {
    if (!data) return undefined;
    const text = typeof data === 'string' ? data : Buffer.isBuffer(data) ? data.toString('base64') : JSON.stringify(data);
    return text.length > 1000 ? `sha1:${createHash('sha1').update(text).digest('hex')}` : text;
}

function sortEntries(entries: [string, string][]): [string, string][] {
    return entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/** `GET /endpoint ?a=1&b=2`: how a request is named in a failure. */
export function describeRequest(identity: RequestIdentity): string {
    const params = identity.params.length > 0 ? ` params ${JSON.stringify(Object.fromEntries(identity.params))}` : '';
    const headers = identity.headers.length > 0 ? ` headers ${JSON.stringify(Object.fromEntries(identity.headers))}` : '';
    const data =
        identity.data === undefined ? '' : ` body ${identity.data.length > 80 ? `${identity.data.slice(0, 80)}...` : identity.data}`;
    return `${identity.method.toUpperCase()} /${identity.endpoint}${params}${headers}${data}`;
}
