import { describe, expect, it } from 'vitest';
import { measurePushLatency, pushLatencyTable } from '../../bench/push-latency.js';
import { subjectOf } from '../../chaos/subjects.js';
import { server } from '../support/msw.js';

describe('bench: push against poll', () => {
    it.each(['gmail-threads+push', 'events+push'])(
        '%s: a pushed change is cached before any poll, well ahead of the mean poll',
        async (name) => {
            const result = await measurePushLatency({ subject: subjectOf(name), network: server, size: 30, trials: 1, latencyMs: 100 });
            expect(result.cachedByPush).toBe(true);
            expect(result.pushMs).toBeGreaterThan(0);
            expect(result.pushMs).toBeLessThan(result.frequencyMs / 2 + result.pollRunMs);
            expect(pushLatencyTable([result])).toMatch(new RegExp(`^\\| ${result.sync} \\| ${result.activity} \\| 1 \\| `, 'm'));
        }
    );
});
