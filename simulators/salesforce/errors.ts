/**
 * Salesforce's error bodies: a JSON array of `{ message, errorCode, fields? }`.
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm
 */
import { HttpResponse } from 'msw';
import type { ErrorFormat } from '../common/core.js';
import type { Fault } from '../common/faults.js';

export interface SalesforceErrorBody {
    message: string;
    errorCode: string;
    fields?: string[];
    duplicateResult?: unknown;
}

/** A refusal a store operation raises; the handler turns it into the HTTP answer. */
export class SalesforceApiError extends Error {
    constructor(
        readonly status: number,
        readonly errors: SalesforceErrorBody[]
    ) {
        super(errors.map((e) => `${e.errorCode}: ${e.message}`).join('; '));
    }

    static one(status: number, errorCode: string, message: string, fields?: string[]): SalesforceApiError {
        return new SalesforceApiError(status, [fields ? { message, errorCode, fields } : { message, errorCode }]);
    }
}

export const NOT_FOUND_MESSAGE = 'The requested resource does not exist';

export function errorResponse(status: number, errors: SalesforceErrorBody[], headers: Record<string, string> = {}): Response {
    return HttpResponse.json(errors, { status, headers });
}

const FAULT_BODIES: Record<number, SalesforceErrorBody> = {
    401: { message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' },
    403: { message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' },
    404: { message: NOT_FOUND_MESSAGE, errorCode: 'NOT_FOUND' },
    409: { message: 'Conflict: the record is being modified by another request', errorCode: 'UNABLE_TO_LOCK_ROW' },
    410: { message: NOT_FOUND_MESSAGE, errorCode: 'NOT_FOUND' },
    412: { message: 'The If-Match header did not match the record', errorCode: 'PRECONDITION_FAILED' },
    429: { message: 'ConcurrentPerOrgLongTxn Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' },
    500: {
        message: 'An unexpected error occurred. Please include this ErrorId if you contact support: 1234567890-12345 (-1234567890)',
        errorCode: 'UNKNOWN_EXCEPTION'
    },
    502: { message: 'Bad gateway', errorCode: 'SERVER_UNAVAILABLE' },
    503: { message: 'Server temporarily unavailable', errorCode: 'SERVER_UNAVAILABLE' },
    504: { message: 'Request timed out', errorCode: 'REQUEST_RUNNING_TOO_LONG' }
};

export const salesforceErrorFormat: ErrorFormat = {
    unauthorized: () => errorResponse(401, [FAULT_BODIES[401]!], { 'WWW-Authenticate': 'Token' }),
    // The daily allowance is a 403, not a 429, and carries no Retry-After.
    rateLimited: () => errorResponse(403, [FAULT_BODIES[403]!]),
    fault: (fault: Extract<Fault, { kind: 'status' }>) => {
        const body = FAULT_BODIES[fault.status] ?? { message: `HTTP ${fault.status}`, errorCode: 'UNKNOWN_EXCEPTION' };
        const headers: Record<string, string> =
            fault.retryAfterSeconds !== undefined ? { 'Retry-After': String(fault.retryAfterSeconds) } : {};
        return errorResponse(fault.status, [fault.reason ? { ...body, errorCode: fault.reason } : body], headers);
    }
};
