import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../runtime/index.js';
import { GmailSimulator } from '../../simulators/gmail/index.js';

const singleShare = (sim: GmailSimulator) => {
    const threads = [...sim.mailbox.threads.values()];
    return threads.filter((thread) => thread.messages.length === 1).length / threads.length;
};

describe('Gmail seed: share of single-message threads (the bench’s thread-size experiment)', () => {
    it('draws the share asked for', () => {
        const sim = new GmailSimulator({ clock: new VirtualClock(), seed: 3, threads: 2_000, singleMessageShare: 0.8 });
        expect(singleShare(sim)).toBeGreaterThan(0.77);
        expect(singleShare(sim)).toBeLessThan(0.83);
    });

    it('leaves the default mailbox exactly as the seed always drew it', () => {
        const plain = new GmailSimulator({ clock: new VirtualClock(), seed: 3, threads: 300 });
        const stated = new GmailSimulator({ clock: new VirtualClock(), seed: 3, threads: 300, singleMessageShare: 0.4 });
        expect(stated.snapshot()).toEqual(plain.snapshot());
        expect(singleShare(plain)).toBeGreaterThan(0.3);
        expect(singleShare(plain)).toBeLessThan(0.5);
    });
});
