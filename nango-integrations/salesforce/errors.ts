/**
 * Salesforce answers errors as `[{ message, errorCode, fields }]`. The proxy throws them as an axios error whose
 * `response` holds the status and that array. This file reads them and decides what a script does with each:
 *
 *   REQUEST_LIMIT_EXCEEDED (403)  the org's rolling 24 h allowance is spent: a sync stops cleanly, keeping its checkpoint
 *   INVALID_SESSION_ID (401)      the token was refused: one new attempt (Nango refreshes the token), then fail
 *   anything else                 fail, naming Salesforce's code and message
 */
import { SalesforceErrorArray, type SalesforceError } from './schemas.js';

export interface SalesforceFailure {
    /** HTTP status, or null when no answer arrived. */
    status: number | null;
    errors: SalesforceError[];
}

/** Salesforce's error array from a failed proxy call, or null when `error` is not an HTTP failure. */
export function salesforceFailure(error: unknown): SalesforceFailure | null {
    if (typeof error !== 'object' || error === null) return null;
    const response = (error as { response?: unknown }).response;
    if (typeof response !== 'object' || response === null) {
        const code = (error as { code?: unknown }).code;
        return typeof code === 'string' && (error as { isAxiosError?: unknown }).isAxiosError === true
            ? { status: null, errors: [{ errorCode: code, message: String((error as { message?: unknown }).message ?? code) }] }
            : null;
    }
    const status = (response as { status?: unknown }).status;
    let data = (response as { data?: unknown }).data;
    if (typeof data === 'string') {
        try {
            data = JSON.parse(data) as unknown;
        } catch {
            // Not JSON (a gateway page): keep the text as the message.
        }
    }
    const parsed = SalesforceErrorArray.safeParse(data);
    const errors = parsed.success
        ? parsed.data
        : [
              {
                  errorCode: `HTTP_${String(status)}`,
                  message: typeof data === 'string' ? data.slice(0, 500) : JSON.stringify(data ?? null).slice(0, 500)
              }
          ];
    return { status: typeof status === 'number' ? status : null, errors };
}

export function hasErrorCode(failure: SalesforceFailure | null, errorCode: string): boolean {
    return failure?.errors.some((e) => e.errorCode === errorCode) ?? false;
}

export function isLimitExceeded(failure: SalesforceFailure | null): boolean {
    return hasErrorCode(failure, 'REQUEST_LIMIT_EXCEEDED');
}

export function isInvalidSession(failure: SalesforceFailure | null): boolean {
    return failure?.status === 401 || hasErrorCode(failure, 'INVALID_SESSION_ID');
}

/**
 * Whether a write that failed this way may still have been applied: no answer came back (timeout, dropped
 * connection), or a gateway answered (502, 504) in place of Salesforce, which may have committed behind it. Any other
 * answer is Salesforce's own, and a refused request is rolled back whole (its DML is one transaction).
 */
export function isOutcomeUnknown(failure: SalesforceFailure): boolean {
    return failure.status === null || failure.status === 502 || failure.status === 504;
}

export function describeFailure(failure: SalesforceFailure): string {
    return failure.errors
        .map((e) => `${e.errorCode}: ${e.message.trim()}${e.fields && e.fields.length > 0 ? ` [${e.fields.join(', ')}]` : ''}`)
        .join('; ');
}

/** A Salesforce refusal a sync cannot recover from, worded for the run's error message. */
export class SalesforceRequestError extends Error {
    constructor(
        readonly what: string,
        readonly failure: SalesforceFailure,
        message = `Salesforce refused ${what} (HTTP ${failure.status ?? 'no answer'}): ${describeFailure(failure)}`
    ) {
        super(message);
        this.name = 'SalesforceRequestError';
    }
}

/** The org's daily API allowance is spent; a sync ends cleanly and the next run continues from its checkpoint. */
export class SalesforceLimitError extends SalesforceRequestError {}

/** The token was refused twice; the connection needs to be authorized again. */
export class SalesforceSessionError extends SalesforceRequestError {
    constructor(what: string, failure: SalesforceFailure) {
        super(
            what,
            failure,
            `Salesforce refused the access token twice (INVALID_SESSION_ID) on ${what}: the connection must be re-authorized`
        );
    }
}

/** What an action's caller receives for a Salesforce refusal: Salesforce's first error, and all of them. */
export function actionErrorPayload(failure: SalesforceFailure): Record<string, unknown> {
    const first = failure.errors[0]!;
    return {
        errorCode: first.errorCode,
        message: first.message,
        fields: first.fields ?? [],
        status: failure.status,
        errors: failure.errors.map((e) => ({ errorCode: e.errorCode, message: e.message, fields: e.fields ?? [] }))
    };
}
