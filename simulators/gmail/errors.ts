import { googleError, googleErrorFormat, googleLegacyError } from '../common/google-errors.js';
import type { ErrorFormat } from '../common/core.js';

/** A refusal a Gmail handler throws; turned into Gmail's JSON error body by the router. */
export class GmailError extends Error {
    constructor(
        readonly status: number,
        readonly reason: string,
        message: string
    ) {
        super(message);
    }

    toResponse(): Response {
        return googleLegacyError(this.status, this.reason, this.message);
    }
}

export const notFound = (): GmailError => new GmailError(404, 'notFound', 'Requested entity was not found.');
export const invalidArgument = (message: string): GmailError => new GmailError(400, 'invalidArgument', message);

/** Google's answer to a query parameter the method does not define (One Platform refuses them). */
export function unknownParameter(name: string): Response {
    const message = `Invalid JSON payload received. Unknown name "${name}": Cannot bind query parameter. Field '${name}' could not be found in request message.`;
    return googleError({
        code: 400,
        message,
        errors: [{ message, domain: 'global', reason: 'invalid' }],
        details: [{ '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: [{ description: message }] }]
    });
}

/**
 * The per-user limit answers 429 with reason `userRateLimitExceeded`: the quota page names that reason for the
 * per-user limit (rateLimitExceeded is the per-project one). https://developers.google.com/gmail/api/reference/quota
 */
export const gmailErrorFormat: ErrorFormat = {
    ...googleErrorFormat({ legacy: true }),
    rateLimited: (retryAfterMs) => {
        const message =
            "Quota exceeded for quota metric 'Queries' and limit 'Queries per minute per user' of service 'gmail.googleapis.com' for consumer 'project_number:000000000000'.";
        return googleError({
            code: 429,
            message,
            errors: [{ message, domain: 'usageLimits', reason: 'userRateLimitExceeded' }],
            details: [
                {
                    '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
                    reason: 'RATE_LIMIT_EXCEEDED',
                    domain: 'googleapis.com',
                    metadata: {
                        quota_metric: 'gmail.googleapis.com/default',
                        quota_limit: 'DefaultPerMinutePerUser',
                        service: 'gmail.googleapis.com'
                    }
                }
            ],
            headers: { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterMs / 1000))) }
        });
    }
};
