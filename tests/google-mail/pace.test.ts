import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../runtime/index.js';
import { mapPooled, TokenBucket, WindowPacer } from '../../nango-integrations/shared/pace.js';
import { gmailPacer, GMAIL_UNITS_PER_MINUTE } from '../../nango-integrations/google-mail/quota.js';

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

    it('gmailPacer spends a window of 14,550 units at once and never more than that in any 60 s', async () => {
        const clock = new VirtualClock(0);
        const pacer = gmailPacer(clock);
        const at: number[] = [];
        for (let i = 0; i < 4000; i += 1) {
            await pacer.take(i % 3 === 0 ? 5 : 10);
            at.push(clock.now());
        }
        const units = (i: number) => (i % 3 === 0 ? 5 : 10);
        let busiest = 0;
        for (let i = 0, j = 0, sum = 0; i < at.length; i += 1) {
            sum += units(i);
            while (at[j]! <= at[i]! - 60_000) sum -= units(j++);
            busiest = Math.max(busiest, sum);
        }
        expect(busiest).toBeLessThanOrEqual(GMAIL_UNITS_PER_MINUTE * 0.97);
        expect(busiest).toBeGreaterThan(GMAIL_UNITS_PER_MINUTE * 0.97 - 10);
        // 33,335 units: the first 14,550 at once, then two more windows.
        expect(at[0]).toBe(0);
        expect(clock.now()).toBe(120_000);
    });
});

describe('WindowPacer with units', () => {
    it('waits for enough of the oldest spending to leave the window, and refuses a call larger than the window', async () => {
        const clock = new VirtualClock(0);
        const pacer = new WindowPacer(100, 1_000, clock);
        await pacer.take(60);
        await clock.sleep(300);
        await pacer.take(30);
        await pacer.take(50); // needs the 60 of t=0 gone: t=1,000
        expect(clock.now()).toBe(1_000);
        await pacer.take(40); // 30 (t=300) + 50 (t=1,000) + 40 = 120: waits for the 30 to leave at t=1,300
        expect(clock.now()).toBe(1_300);
        await expect(pacer.take(101)).rejects.toThrow('never fit');
    });

    it('keeps the room a call is told to leave for others, who still get it', async () => {
        const clock = new VirtualClock(0);
        const pacer = new WindowPacer(100, 1_000, clock);
        let reserve = 30;
        await pacer.take(60, () => reserve);
        await pacer.take(20, () => reserve); // 60 + 20 + 30 > 100: waits for the 60 to leave
        expect(clock.now()).toBe(1_000);
        await pacer.take(30, () => reserve);
        await pacer.take(40); // a call with nothing to leave takes the reserved room at once
        expect(clock.now()).toBe(1_000);
        reserve = 0;
        await pacer.take(10, () => reserve); // 20 + 30 + 40 + 10 = 100 fits once the reserve is dropped
        expect(clock.now()).toBe(1_000);
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
