import { HttpResponse } from 'msw';
import type { ErrorFormat } from './core.js';
import type { Fault } from './faults.js';

/**
 * Google's JSON error bodies. Two generations coexist: the older discovery APIs (Gmail, Calendar) send
 * `errors: [{ message, domain, reason }]` beside `code`, `message` and `status`; the newer ones (People) send
 * `status` and `details` (google.rpc.ErrorInfo and friends) without `errors`. Both shapes are built here so every
 * Google simulator answers with the same words. https://cloud.google.com/apis/design/errors#http_mapping
 */
export interface GoogleErrorItem {
    message: string;
    domain: string;
    reason: string;
    location?: string;
    locationType?: string;
}

export interface GoogleErrorBody {
    error: {
        code: number;
        message: string;
        errors?: GoogleErrorItem[];
        status?: string;
        details?: unknown[];
    };
}

/** The canonical status Google pairs with each HTTP code (google.rpc.Code). */
export const googleStatusByCode: Readonly<Record<number, string>> = {
    400: 'INVALID_ARGUMENT',
    401: 'UNAUTHENTICATED',
    403: 'PERMISSION_DENIED',
    404: 'NOT_FOUND',
    409: 'ABORTED',
    412: 'FAILED_PRECONDITION',
    429: 'RESOURCE_EXHAUSTED',
    499: 'CANCELLED',
    500: 'INTERNAL',
    501: 'NOT_IMPLEMENTED',
    502: 'UNAVAILABLE',
    503: 'UNAVAILABLE',
    504: 'DEADLINE_EXCEEDED'
};

export interface GoogleErrorOptions {
    code: number;
    message: string;
    /** Defaults to the canonical status of `code`; `null` leaves it out (Calendar's 410 has none). */
    status?: string | null;
    /** The legacy `errors[]` array; omit it for APIs that no longer send it. */
    errors?: GoogleErrorItem[];
    details?: unknown[];
    headers?: Record<string, string>;
}

export function googleErrorBody(options: GoogleErrorOptions): GoogleErrorBody {
    const status = options.status === undefined ? googleStatusByCode[options.code] : options.status;
    return {
        error: {
            code: options.code,
            message: options.message,
            ...(options.errors ? { errors: options.errors } : {}),
            ...(status ? { status } : {}),
            ...(options.details ? { details: options.details } : {})
        }
    };
}

export function googleError(options: GoogleErrorOptions): Response {
    return HttpResponse.json(googleErrorBody(options), {
        status: options.code,
        headers: { 'content-type': 'application/json; charset=UTF-8', ...options.headers }
    });
}

/** A legacy-style error with one `errors[]` item, as Gmail and Calendar answer: `{ code, message, errors, status }`. */
export function googleLegacyError(
    code: number,
    reason: string,
    message: string,
    extra: Partial<GoogleErrorItem> & { headers?: Record<string, string> } = {}
): Response {
    const { headers, domain, ...item } = extra;
    return googleError({
        code,
        message,
        errors: [{ message, domain: domain ?? 'global', reason, ...item }],
        ...(headers ? { headers } : {})
    });
}

const unauthenticatedMessage =
    'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.';

/** 401 for a missing, expired or wrong bearer token (both generations send this body). */
export function googleUnauthorized(legacy = true): Response {
    if (!legacy) return googleError({ code: 401, message: unauthenticatedMessage });
    return googleError({
        code: 401,
        message: unauthenticatedMessage,
        errors: [
            { message: 'Invalid Credentials', domain: 'global', reason: 'authError', location: 'Authorization', locationType: 'header' }
        ]
    });
}

function retryAfterHeader(ms: number): Record<string, string> {
    return { 'Retry-After': String(Math.max(1, Math.ceil(ms / 1000))) };
}

/** 429 `rateLimitExceeded` in the `usageLimits` domain, as Gmail's and Calendar's per-user limits answer. */
export function googleRateLimited(retryAfterMs: number, message = 'Rate Limit Exceeded', legacy = true): Response {
    return googleError({
        code: 429,
        message,
        ...(legacy ? { errors: [{ message, domain: 'usageLimits', reason: 'rateLimitExceeded' }] } : {}),
        headers: retryAfterHeader(retryAfterMs)
    });
}

const faultMessages: Readonly<Record<number, { message: string; reason: string; domain?: string }>> = {
    401: { message: 'Invalid Credentials', reason: 'authError' },
    403: { message: 'Rate Limit Exceeded', reason: 'userRateLimitExceeded', domain: 'usageLimits' },
    404: { message: 'Requested entity was not found.', reason: 'notFound' },
    409: { message: 'The operation was aborted.', reason: 'aborted' },
    410: { message: 'Resource has been deleted', reason: 'deleted' },
    412: { message: 'Precondition check failed.', reason: 'conditionNotMet' },
    429: { message: 'Rate Limit Exceeded', reason: 'rateLimitExceeded', domain: 'usageLimits' },
    500: { message: 'Internal error encountered.', reason: 'backendError' },
    502: { message: 'Bad Gateway', reason: 'backendError' },
    503: { message: 'The service is currently unavailable.', reason: 'backendError' },
    504: { message: 'The request timed out. Please try again.', reason: 'backendError' }
};

/** An injected status fault in Google's words (`fault.reason` overrides the reason). */
export function googleFault(fault: Extract<Fault, { kind: 'status' }>, legacy = true): Response {
    if (fault.status === 401) return googleUnauthorized(legacy);
    const known = faultMessages[fault.status] ?? { message: 'Backend Error', reason: 'backendError' };
    const headers = fault.retryAfterSeconds === undefined ? undefined : { 'Retry-After': String(fault.retryAfterSeconds) };
    return googleError({
        code: fault.status,
        message: known.message,
        ...(fault.status === 410 ? { status: null } : {}),
        ...(legacy ? { errors: [{ message: known.message, domain: known.domain ?? 'global', reason: fault.reason ?? known.reason }] } : {}),
        ...(headers ? { headers } : {})
    });
}

/**
 * The ErrorFormat of ApiCore for a Google API. `legacy: true` (Gmail, Calendar) keeps `errors[]`; `false` (People)
 * leaves it out. The rate-limit message names the limit the way the API's documentation does.
 */
export function googleErrorFormat(options: { legacy: boolean; rateLimitMessage?: string }): ErrorFormat {
    return {
        unauthorized: () => googleUnauthorized(options.legacy),
        rateLimited: (retryAfterMs) => googleRateLimited(retryAfterMs, options.rateLimitMessage, options.legacy),
        fault: (fault) => googleFault(fault, options.legacy)
    };
}
