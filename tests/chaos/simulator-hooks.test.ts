import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../runtime/index.js';
import { SalesforceSimulator } from '../../simulators/salesforce/index.js';

// Found by the chaos campaign: after a clock jump past the recycle bin's retention, "undelete-leads" picked ids
// the store had already purged and threw NOT_FOUND from inside the activity.
describe('salesforce simulator under clock jumps', () => {
    it('undelete after the 15-day retention restores nothing and does not throw', () => {
        const clock = new VirtualClock();
        const sim = new SalesforceSimulator({ clock, seed: 5, leads: 20, opportunities: 5 });
        sim.applyActivity('delete-leads');
        clock.advance(16 * 24 * 3_600_000);
        expect(sim.applyActivity('undelete-leads')).toBe('restored 0 lead records from the recycle bin');
    });
});
