import { describe, expect, it } from 'vitest';
import { findAnswer, identityHash, requestIdentity, type RecordedAnswer } from '../../runner/replay/recording.js';

const events = (params: Record<string, string>): RecordedAnswer => ({ response: { items: [] }, status: 200, request: { params } });

describe('findAnswer', () => {
    it('finds a request by the identity hash the CLI records (endpoint with params merged, sorted)', () => {
        const identity = requestIdentity({
            method: 'GET',
            endpoint: '/v1/things?b=2',
            params: { a: '1' },
            headers: { Retries: '3', 'X-Kind': 'k' }
        });
        expect(identity).toEqual({
            method: 'get',
            endpoint: 'v1/things',
            params: [
                ['a', '1'],
                ['b', '2']
            ],
            headers: [['X-Kind', 'k']],
            data: undefined
        });
        const answer = { response: 'yes', status: 200, hash: identityHash(identity) };
        expect(findAnswer({ api: { get: { '/v1/things': answer } } }, identity)).toBe(answer);
    });

    it('matches a clock-derived time param within a minute of the recorded one, and nothing looser', () => {
        const recorded = events({ timeMin: '2025-12-01T08:13:43.512Z', maxResults: '2500' });
        const recording = { api: { get: { '/calendar/v3/calendars/primary/events': recorded } } };
        const ask = (params: Record<string, string>) =>
            findAnswer(recording, requestIdentity({ method: 'GET', endpoint: '/calendar/v3/calendars/primary/events', params }));
        expect(ask({ timeMin: '2025-12-01T08:13:43.000Z', maxResults: '2500' })).toBe(recorded);
        expect(ask({ timeMin: '2025-12-01T08:15:00.000Z', maxResults: '2500' })).toBeNull();
        expect(ask({ timeMin: '2025-12-01T08:13:43.512Z', maxResults: '250' })).toBeNull();
        expect(ask({ timeMin: '2025-12-01T08:13:43.512Z' })).toBeNull();
    });
});
