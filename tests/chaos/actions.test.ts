import { describe, expect, it } from 'vitest';
import { outcomeTable, runActionCampaign, SCENARIOS } from '../../chaos/actions.js';
import { server } from '../support/msw.js';

describe('write actions under lost answers, retried once by the caller', () => {
    it.each(['create-lead', 'send-email'])(
        '%s: no duplicate when its input takes a key, at most one otherwise, never lost',
        async (action) => {
            const outcomes = await runActionCampaign(server, action);
            expect(outcomes.map((o) => o.scenario)).toEqual(SCENARIOS.map((s) => s.name));
            for (const o of outcomes) {
                // The first attempt never saw its answer, so the caller retried: the provider applied at least one write.
                expect(o.retry, outcomeTable([o])).not.toBe('-');
                expect(o.created, outcomeTable([o])).toBeGreaterThanOrEqual(1);
                expect(o.duplicates, outcomeTable([o])).toBe(o.keyed ? 0 : o.created - 1);
                expect(o.divergent, outcomeTable([o])).toBe(false);
            }
        }
    );
});
