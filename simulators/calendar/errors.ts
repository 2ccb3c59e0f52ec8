import type { ErrorFormat } from '../common/core.js';
import { googleError, googleFault, googleLegacyError, googleRateLimited, googleUnauthorized } from '../common/google-errors.js';

/**
 * Calendar's error bodies, from https://developers.google.com/workspace/calendar/api/guides/errors: the legacy shape
 * `{ error: { errors: [{ domain, reason, message, location?, locationType? }], code, message } }`.
 */
export class CalendarError extends Error {
    constructor(
        readonly code: number,
        readonly reason: string,
        message: string,
        readonly extra: { domain?: string; location?: string; locationType?: string } = {}
    ) {
        super(message);
    }

    toResponse(): Response {
        if (this.code === 410 && this.reason === 'fullSyncRequired') {
            // Calendar's 410 carries no `status` (https://developers.google.com/workspace/calendar/api/guides/sync).
            return googleError({
                code: 410,
                message: this.message,
                status: null,
                errors: [{ domain: 'calendar', reason: 'fullSyncRequired', message: this.message }]
            });
        }
        return googleLegacyError(this.code, this.reason, this.message, this.extra);
    }
}

export const calendarErrors = {
    notFound: () => new CalendarError(404, 'notFound', 'Not Found'),
    deleted: () => new CalendarError(410, 'deleted', 'Resource has been deleted'),
    duplicate: () => new CalendarError(409, 'duplicate', 'The requested identifier already exists.'),
    conditionNotMet: () =>
        new CalendarError(412, 'conditionNotMet', 'Precondition Failed', { location: 'If-Match', locationType: 'header' }),
    fullSyncRequired: () => new CalendarError(410, 'fullSyncRequired', 'Sync token is no longer valid, a full sync is required.'),
    invalid: (message: string, location?: string) =>
        new CalendarError(400, 'invalid', message, location ? { location, locationType: 'parameter' } : {}),
    required: (message: string) => new CalendarError(400, 'required', message),
    badRequest: () => new CalendarError(400, 'badRequest', 'Bad Request'),
    timeRangeEmpty: (location: string) =>
        new CalendarError(400, 'timeRangeEmpty', 'The specified time range is empty.', {
            domain: 'calendar',
            location,
            locationType: 'parameter'
        }),
    writerAccessRequired: () =>
        new CalendarError(403, 'requiredAccessLevel', 'You need to have writer access to this calendar.', { domain: 'calendar' })
};

/**
 * Calendar answers its per-user limit with 403 `rateLimitExceeded` (or `userRateLimitExceeded`) in the
 * `usageLimits` domain, and sometimes with 429; no Retry-After header is documented for either.
 */
export type CalendarRateLimitStyle = 'rateLimitExceeded' | 'userRateLimitExceeded' | '429';

export function calendarErrorFormat(style: () => CalendarRateLimitStyle): ErrorFormat {
    return {
        unauthorized: () => googleUnauthorized(true),
        rateLimited: (retryAfterMs) => {
            const chosen = style();
            if (chosen === '429') return googleRateLimited(retryAfterMs);
            const message = chosen === 'rateLimitExceeded' ? 'Rate Limit Exceeded' : 'User Rate Limit Exceeded';
            return googleLegacyError(403, chosen, message, { domain: 'usageLimits' });
        },
        fault: (fault) => {
            if (fault.status === 410 && (fault.reason === undefined || fault.reason === 'fullSyncRequired')) {
                return calendarErrors.fullSyncRequired().toResponse();
            }
            if (fault.status === 403 && fault.reason !== undefined) {
                const message = fault.reason === 'userRateLimitExceeded' ? 'User Rate Limit Exceeded' : 'Rate Limit Exceeded';
                return googleLegacyError(403, fault.reason, message, { domain: 'usageLimits' });
            }
            return googleFault(fault, true);
        }
    };
}
