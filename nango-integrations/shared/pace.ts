/**
 * Pacing for scripts that must stay inside a provider's per-user quota while keeping several requests in flight.
 *
 * Inside Nango's sandbox (and our local runtime) `Date.now()` and `setTimeout` are the only clock available, and in
 * our tests they follow the run's virtual clock, so the same code paces in virtual, scaled and real time.
 */

export interface PaceClock {
    now(): number;
    sleep(ms: number): Promise<void>;
}

export const sandboxClock: PaceClock = {
    now: () => Date.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms))
};

/**
 * A token bucket in the provider's units (Gmail quota units, Calendar requests). `take(units)` reserves the units and
 * resolves when they are available, so concurrent callers are served in order and never overspend.
 *
 * Providers enforce sliding windows (Gmail: 15,000 units over any 60 s), so a bucket that spends `rate` plus its
 * `burst` can never exceed `burst + rate × window` in a window: keep the rate a few percent under the limit and the
 * burst small, and a 429 can only come from spending we do not see (another script on the same user).
 */
export class TokenBucket {
    private available: number;
    private updatedAt: number;

    constructor(
        private readonly unitsPerSecond: number,
        private readonly burst: number,
        private readonly clock: PaceClock = sandboxClock
    ) {
        if (!(unitsPerSecond > 0) || !(burst > 0)) throw new Error('TokenBucket needs a positive rate and burst');
        this.available = burst;
        this.updatedAt = clock.now();
    }

    async take(units: number): Promise<void> {
        const now = this.clock.now();
        this.available = Math.min(this.burst, this.available + ((now - this.updatedAt) * this.unitsPerSecond) / 1000);
        this.updatedAt = now;
        // Going below zero is a reservation: the next caller waits for our debt to be repaid, then for its own units.
        this.available -= units;
        if (this.available >= 0) return;
        await this.clock.sleep(Math.ceil((-this.available * 1000) / this.unitsPerSecond));
    }
}

export interface PoolOptions {
    /** Requests in flight at most. */
    concurrency: number;
    /** When set, each task first takes `units` from it. */
    bucket?: TokenBucket;
    units?: number;
}

/**
 * Runs `task` over `items` with at most `concurrency` in flight, each start paced by the bucket. Results keep the
 * order of `items`. The first failure stops new starts; it is rethrown once the tasks already started have settled,
 * so nothing keeps running after the caller has moved on.
 */
export async function mapPooled<T, R>(
    items: readonly T[],
    options: PoolOptions,
    task: (item: T, index: number) => Promise<R>
): Promise<R[]> {
    const results: R[] = new Array<R>(items.length);
    const running = new Set<Promise<void>>();
    let failure: { error: unknown } | null = null;
    for (let index = 0; index < items.length && failure === null; index += 1) {
        while (running.size >= options.concurrency) await Promise.race(running);
        if (failure !== null) break;
        if (options.bucket) await options.bucket.take(options.units ?? 1);
        const item = items[index] as T;
        const at = index;
        const run: Promise<void> = task(item, at).then(
            (result) => {
                results[at] = result;
            },
            (error: unknown) => {
                failure ??= { error };
            }
        );
        const tracked = run.finally(() => running.delete(tracked));
        running.add(tracked);
    }
    await Promise.all(running);
    if (failure !== null) throw (failure as { error: unknown }).error;
    return results;
}
