import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../runtime/index.js';
import { peoplePacer } from '../../nango-integrations/google-mail/people-quota.js';
import { WindowPacer } from '../../nango-integrations/shared/pace.js';

/** The largest number of starts within any span shorter than `windowMs`. */
function busiestWindow(starts: readonly number[], windowMs: number): number {
    const sorted = [...starts].sort((a, b) => a - b);
    let most = 0;
    for (let first = 0, last = 0; last < sorted.length; last += 1) {
        while (sorted[last]! - sorted[first]! >= windowMs) first += 1;
        most = Math.max(most, last - first + 1);
    }
    return most;
}

describe('WindowPacer (People reads per minute)', () => {
    it('lets a window’s worth of calls go at once, then each as soon as the oldest leaves the window', async () => {
        const clock = new VirtualClock(0);
        const pacer = new WindowPacer(87, 61_000, clock);
        const starts: number[] = [];
        for (let i = 0; i < 200; i += 1) {
            await pacer.take();
            starts.push(clock.now());
            await clock.sleep(100); // the call's latency
        }
        expect(busiestWindow(starts, 61_000)).toBe(87);
        expect(starts[86]).toBe(8_600);
        // The 88th waits for the first to leave the window, not for a token to trickle in.
        expect(starts[87]).toBe(61_000);
        expect(starts[199]).toBe(starts[199 - 87]! + 61_000);
    });

    it('never lets concurrent callers past the capacity', async () => {
        const clock = new VirtualClock(0);
        const pacer = new WindowPacer(5, 1_000, clock);
        const starts: number[] = [];
        await Promise.all(
            Array.from({ length: 4 }, async () => {
                for (let i = 0; i < 10; i += 1) {
                    await pacer.take();
                    starts.push(clock.now());
                }
            })
        );
        expect(starts).toHaveLength(40);
        expect(busiestWindow(starts, 1_000)).toBeLessThanOrEqual(5);
    });

    it('gmail-contacts keeps 3 of People’s 90 reads a minute spare, and a second of margin on the minute', async () => {
        const clock = new VirtualClock(0);
        const pacer = peoplePacer(clock);
        const starts: number[] = [];
        for (let i = 0; i < 100; i += 1) {
            await pacer.take();
            starts.push(clock.now());
        }
        expect(busiestWindow(starts, 61_000)).toBe(87);
    });
});
