import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../runtime/index.js';
import { mapPooled, TokenBucket } from '../../nango-integrations/shared/pace.js';
import { gmailBucket, GMAIL_UNITS_PER_MINUTE } from '../../nango-integrations/google-mail/quota.js';

/**
 * A discrete-event clock: sleepers wake in order of their wake-up time, each at exactly that time, as in real time.
 * (The runtime's VirtualClock wakes all overlapping sleepers at the latest time, which is right for latency but
 * blurs the order a rate test needs.)
 */
class EventClock {
    private time = 0;
    private sleepers: { at: number; wake: () => void }[] = [];

    now(): number {
        return this.time;
    }

    sleep(ms: number): Promise<void> {
        return new Promise((wake) => {
            this.sleepers.push({ at: this.time + Math.max(0, ms), wake });
            this.sleepers.sort((a, b) => a.at - b.at);
        });
    }

    async run<T>(work: Promise<T>): Promise<T> {
        let done = false;
        const result = work.finally(() => {
            done = true;
        });
        while (!done) {
            await new Promise((resolve) => setImmediate(resolve));
            const next = this.sleepers.shift();
            if (!next) continue;
            this.time = next.at;
            next.wake();
        }
        return result;
    }
}

describe('TokenBucket', () => {
    it('spends at most burst + rate × window in any window, serving concurrent takers in order', async () => {
        const clock = new EventClock();
        const bucket = new TokenBucket(250, 100, clock);
        const spent: number[] = [];
        // 40 workers each taking 10 units 30 times: 12,000 units at 250/s must take (12,000 - 100) / 250 s.
        await clock.run(
            Promise.all(
                Array.from({ length: 40 }, async () => {
                    for (let i = 0; i < 30; i += 1) {
                        await bucket.take(10);
                        spent.push(clock.now());
                    }
                })
            )
        );
        expect(spent).toHaveLength(1200);
        expect(clock.now()).toBeGreaterThanOrEqual(((12_000 - 100) / 250) * 1000 - 1);
        spent.sort((a, b) => a - b);
        // Sliding 10 s windows: never more than 100 + 2,500 units.
        for (let i = 0, j = 0; i < spent.length; i += 1) {
            while (spent[j]! <= spent[i]! - 10_000) j += 1;
            expect((i - j + 1) * 10).toBeLessThanOrEqual(100 + 2500 + 10);
        }
    });

    it('gmailBucket stays under 15,000 units per minute', async () => {
        const clock = new VirtualClock(0);
        const bucket = gmailBucket(clock);
        const at: number[] = [];
        for (let i = 0; i < 4000; i += 1) {
            await bucket.take(10);
            at.push(clock.now());
        }
        for (let i = 0, j = 0; i < at.length; i += 1) {
            while (at[j]! <= at[i]! - 60_000) j += 1;
            expect((i - j + 1) * 10).toBeLessThanOrEqual(GMAIL_UNITS_PER_MINUTE);
        }
        // And not far under it: 4,000 calls of 10 units at 97% of 250 units/s.
        expect(clock.now() / 1000).toBeLessThan((40_000 / (250 * 0.97)) * 1.01);
    });
});

describe('mapPooled', () => {
    it('keeps order, never exceeds its concurrency, and rethrows the first failure after the started tasks settle', async () => {
        const clock = new VirtualClock(0);
        let running = 0;
        let peak = 0;
        const results = await mapPooled([5, 1, 4, 2, 3, 9, 7], { concurrency: 3 }, async (n) => {
            running += 1;
            peak = Math.max(peak, running);
            await clock.sleep(n * 10);
            running -= 1;
            return n * 2;
        });
        expect(results).toEqual([10, 2, 8, 4, 6, 18, 14]);
        expect(peak).toBe(3);

        const settled: number[] = [];
        await expect(
            mapPooled([1, 2, 3, 4, 5, 6], { concurrency: 2 }, async (n) => {
                await clock.sleep(n);
                if (n === 2) throw new Error('boom');
                settled.push(n);
                return n;
            })
        ).rejects.toThrow('boom');
        expect(running).toBe(0);
        expect(settled.length).toBeLessThan(6);
    });
});
