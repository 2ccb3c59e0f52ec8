/**
 * What a failed Google API call means for a sync or an action: back off (rate limit), start over (expired history id
 * or sync token), skip (the resource is gone), or give up. Shared by the Gmail, People and Calendar scripts.
 *
 * Nango's proxy rejects with an axios-style error (`error.response.status`, `.data`, `.headers`); the local runtime
 * mirrors it. The body is Google's JSON error: `{ error: { code, message, status, errors: [{ reason, domain }],
 * details: [{ '@type', reason, domain }] } }` (https://cloud.google.com/apis/design/errors).
 */

export interface GoogleFailure {
    /** HTTP status, or null when no answer arrived (network error, timeout, dropped connection). */
    status: number | null;
    /** Google's `error.status`, e.g. `FAILED_PRECONDITION`, `RESOURCE_EXHAUSTED`. */
    grpcStatus: string | null;
    /** Every `errors[].reason` and `details[].reason`, e.g. `userRateLimitExceeded`, `EXPIRED_SYNC_TOKEN`. */
    reasons: string[];
    message: string;
    /** Retry-After in milliseconds, when the answer carried one. */
    retryAfterMs: number | null;
}

const RATE_LIMIT_REASONS = new Set(['rateLimitExceeded', 'userRateLimitExceeded', 'RATE_LIMIT_EXCEEDED']);

/** Reads any thrown value as a Google API failure. */
export function googleFailureOf(error: unknown): GoogleFailure {
    const response = field(error, 'response');
    const status = numberOr(field(response, 'status'), numberOr(field(error, 'status'), null));
    const body = parseBody(field(response, 'data') ?? field(error, 'data'));
    const inner = field(body, 'error');
    const reasons: string[] = [];
    for (const list of [field(inner, 'errors'), field(inner, 'details')]) {
        if (!Array.isArray(list)) continue;
        for (const item of list) {
            const reason = field(item, 'reason');
            if (typeof reason === 'string') reasons.push(reason);
        }
    }
    const innerMessage = field(inner, 'message');
    const ownMessage = field(error, 'message');
    const grpcStatus = field(inner, 'status');
    return {
        status,
        grpcStatus: typeof grpcStatus === 'string' ? grpcStatus : null,
        reasons,
        message: typeof innerMessage === 'string' ? innerMessage : typeof ownMessage === 'string' ? ownMessage : String(error),
        retryAfterMs: retryAfterOf(field(response, 'headers'))
    };
}

/** 429, or Google's 403 flavour of it (`rateLimitExceeded` / `userRateLimitExceeded`): wait and retry. */
export function isRateLimited(error: unknown): boolean {
    const failure = googleFailureOf(error);
    if (failure.status === 429) return true;
    return failure.status === 403 && failure.reasons.some((reason) => RATE_LIMIT_REASONS.has(reason));
}

/** Worth retrying the same request later: rate limits, 5xx, and answers that never arrived. */
export function isTransient(error: unknown): boolean {
    const failure = googleFailureOf(error);
    return failure.status === null || failure.status >= 500 || isRateLimited(error);
}

/** The request may have reached Google and been applied: a write must not be blindly repeated. */
export function isOutcomeUnknown(error: unknown): boolean {
    const failure = googleFailureOf(error);
    return failure.status === null || failure.status >= 500;
}

/** 404: the resource (thread, message, event) no longer exists. */
export function isNotFound(error: unknown): boolean {
    return googleFailureOf(error).status === 404;
}

/**
 * Gmail `history.list` answers 404 for a `startHistoryId` older than the history it keeps (about a week, sometimes
 * hours): the client must do a full sync (https://developers.google.com/workspace/gmail/api/guides/sync).
 * Only meaningful for a history.list call: elsewhere a 404 means a missing resource.
 */
export function isExpiredHistoryId(error: unknown): boolean {
    return isNotFound(error);
}

/**
 * An expired or invalid sync token: People answers 400 `FAILED_PRECONDITION` with reason `EXPIRED_SYNC_TOKEN`
 * (https://developers.google.com/people/api/rest/v1/people.connections/list), Calendar answers 410 Gone
 * (`fullSyncRequired`, https://developers.google.com/workspace/calendar/api/guides/sync). Either way: full sync.
 */
export function isExpiredSyncToken(error: unknown): boolean {
    const failure = googleFailureOf(error);
    if (failure.status === 410) return true;
    if (failure.reasons.includes('EXPIRED_SYNC_TOKEN')) return true;
    return failure.status === 400 && /EXPIRED_SYNC_TOKEN|sync token is expired/i.test(failure.message);
}

/** A short line for logs and ActionError payloads. */
export function describeFailure(error: unknown): string {
    const failure = googleFailureOf(error);
    const status = failure.status === null ? 'no response' : `HTTP ${failure.status}`;
    const reasons = failure.reasons.length > 0 ? ` (${failure.reasons.join(', ')})` : '';
    return `${status}${reasons}: ${failure.message}`;
}

function field(value: unknown, key: string): unknown {
    if (typeof value !== 'object' || value === null) return undefined;
    return (value as Record<string, unknown>)[key];
}

function numberOr<T>(value: unknown, fallback: T): number | T {
    return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

/** The body may arrive parsed, as a JSON string, or as bytes (responseType arraybuffer). */
function parseBody(data: unknown): unknown {
    let text: string | null = null;
    if (typeof data === 'string') text = data;
    else if (Buffer.isBuffer(data)) text = data.toString('utf8');
    if (text === null) return data;
    try {
        return JSON.parse(text) as unknown;
    } catch {
        return undefined;
    }
}

function retryAfterOf(headers: unknown): number | null {
    let raw: unknown;
    const get = field(headers, 'get');
    if (typeof get === 'function') raw = (get as (name: string) => unknown).call(headers, 'retry-after');
    else raw = field(headers, 'retry-after') ?? field(headers, 'Retry-After');
    if (typeof raw !== 'string' && typeof raw !== 'number') return null;
    const seconds = Number(raw);
    if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
    const at = Date.parse(String(raw));
    return Number.isNaN(at) ? null : Math.max(0, at - Date.now());
}
