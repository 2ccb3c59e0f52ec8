/**
 * Where requests go and how they are sent. The base URL is the connection's instance_url (Nango's salesforce
 * provider proxies to it); the path carries one API version for every call.
 */
import type { NangoAction } from 'nango';
import {
    isInvalidSession,
    isLimitExceeded,
    salesforceFailure,
    SalesforceLimitError,
    SalesforceRequestError,
    SalesforceSessionError
} from './errors.js';

/**
 * Spring '26. One release behind the newest (Summer '26, 67.0) on purpose: Salesforce rolls a release out over
 * several weeks, and an org not yet upgraded answers 404 to the newer version.
 */
export const API_VERSION = 'v66.0';

/** Rows per query page: Salesforce's maximum (and default), so N records cost ceil(N / 2000) calls. */
export const QUERY_BATCH_SIZE = 2000;

/** Reads are idempotent: the proxy retries network errors, 5xx and 429 with backoff. */
export const READ_RETRIES = 3;

export function dataPath(path: string): string {
    return `/services/data/${API_VERSION}/${path.replace(/^\/+/, '')}`;
}

type Caller = Pick<NangoAction, 'log'>;

/**
 * Sends a request; when Salesforce refuses the token (INVALID_SESSION_ID) sends it once more, since Nango hands the
 * new request a refreshed token; a second refusal fails clearly. Other refusals become SalesforceRequestError (or
 * SalesforceLimitError for the daily allowance). `send` must be safe to repeat after a 401: nothing was applied.
 */
export async function withSessionRetry<T>(nango: Caller, what: string, send: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
        try {
            return await send();
        } catch (error) {
            const failure = salesforceFailure(error);
            if (!failure) throw error;
            if (isInvalidSession(failure)) {
                if (attempt === 1) {
                    await nango.log(
                        `Salesforce refused the access token on ${what} (INVALID_SESSION_ID); trying once more with a refreshed token`,
                        { level: 'warn' }
                    );
                    continue;
                }
                throw new SalesforceSessionError(what, failure);
            }
            if (isLimitExceeded(failure)) throw new SalesforceLimitError(what, failure);
            throw new SalesforceRequestError(what, failure);
        }
    }
}
