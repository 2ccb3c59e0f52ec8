import { describe, expect, it } from 'vitest';
import { ProxyHttpError } from '../../runtime/index.js';
import {
    googleFailureOf,
    isExpiredHistoryId,
    isExpiredSyncToken,
    isNotFound,
    isOutcomeUnknown,
    isRateLimited,
    isTransient
} from '../../nango-integrations/shared/google-errors.js';

describe('google-errors', () => {
    const config = { method: 'GET', url: 'https://gmail.googleapis.com/x', headers: {} };
    const answer = (status: number, data: unknown, headers: Record<string, string> = {}) =>
        new ProxyHttpError(`Request failed with status code ${status}`, 'ERR_BAD_REQUEST', config, {
            data,
            status,
            statusText: '',
            headers,
            config,
            request: { method: 'GET', url: config.url }
        });
    const legacy = (code: number, reason: string, message = 'm') => ({
        error: { code, message, errors: [{ message, domain: 'global', reason }] }
    });

    it('classifies rate limits, 5xx, network errors, missing resources and expired cursors', () => {
        const rate429 = answer(429, legacy(429, 'userRateLimitExceeded'), { 'retry-after': '7' });
        const rate403 = answer(403, legacy(403, 'rateLimitExceeded'));
        const forbidden = answer(403, legacy(403, 'insufficientPermissions'));
        const unavailable = answer(503, legacy(503, 'backendError'));
        const network = new ProxyHttpError('ECONNRESET: socket hang up', 'ECONNRESET', config);
        const gone = answer(404, legacy(404, 'notFound', 'Requested entity was not found.'));
        const people = answer(400, {
            error: {
                code: 400,
                message: 'Sync token is expired. Clear local cache and retry call without the sync token.',
                status: 'FAILED_PRECONDITION',
                details: [
                    { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'EXPIRED_SYNC_TOKEN', domain: 'people.googleapis.com' }
                ]
            }
        });
        const calendar = answer(410, {
            error: {
                code: 410,
                message: 'Sync token is no longer valid, a full sync is required.',
                errors: [{ reason: 'fullSyncRequired' }]
            }
        });

        expect(googleFailureOf(rate429)).toMatchObject({ status: 429, reasons: ['userRateLimitExceeded'], retryAfterMs: 7000 });
        expect([rate429, rate403, forbidden].map(isRateLimited)).toEqual([true, true, false]);
        expect([rate429, unavailable, network, forbidden, gone].map(isTransient)).toEqual([true, true, true, false, false]);
        expect([unavailable, network, rate429, people].map(isOutcomeUnknown)).toEqual([true, true, false, false]);
        expect(googleFailureOf(network).status).toBeNull();
        expect([gone, forbidden].map(isNotFound)).toEqual([true, false]);
        expect(isExpiredHistoryId(gone)).toBe(true);
        expect([people, calendar, gone, answer(400, legacy(400, 'invalidArgument'))].map(isExpiredSyncToken)).toEqual([
            true,
            true,
            false,
            false
        ]);
        expect(googleFailureOf(people)).toMatchObject({ grpcStatus: 'FAILED_PRECONDITION', reasons: ['EXPIRED_SYNC_TOKEN'] });
    });
});
