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

/** What a paced request waits on before it starts: `take(units)` resolves when the units may be spent. */
export interface Pacer {
    take(units: number): Promise<void>;
}

/**
 * A token bucket in the provider's units (Calendar requests). `take(units)` reserves the units and
 * resolves when they are available, so concurrent callers are served in order and never overspend.
 *
 * Providers enforce sliding windows (Calendar: 600 requests over any 60 s), so a bucket that spends `rate` plus its
 * `burst` can never exceed `burst + rate × window` in a window: keep the rate a few percent under the limit and the
 * burst small, and a 429 can only come from spending we do not see (another script on the same user).
 */
export class TokenBucket implements Pacer {
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

/**
 * At most `capacity` units start within any `windowMs`: the shape of a per-minute quota enforced over a sliding window
 * (Gmail's units, People's reads), tracked by what the calls still in the window spent. A token bucket must keep
 * burst + rate × window under the limit, so it never uses the window a run starts with; following the window itself
 * lets a window's worth go at once and then each call as soon as the window has room, which is all the quota allows.
 */
export class WindowPacer implements Pacer {
    private readonly spent: { at: number; units: number }[] = [];
    private head = 0;
    private total = 0;

    constructor(
        readonly capacity: number,
        private readonly windowMs: number,
        private readonly clock: PaceClock = sandboxClock
    ) {
        if (!(capacity >= 1) || !(windowMs > 0)) throw new Error('WindowPacer needs a capacity of at least 1 and a positive window');
    }

    /**
     * Resolves when `units` more may start, and counts them. `keepFree` (read at each try) is room this call must
     * leave in the window, for calls that go first: a listing others wait on.
     */
    async take(units = 1, keepFree: () => number = () => 0): Promise<void> {
        if (units > this.capacity) throw new Error(`A call of ${units} units can never fit a window of ${this.capacity}`);
        for (;;) {
            const now = this.clock.now();
            this.expire(now);
            const needed = units + Math.min(keepFree(), this.capacity - units);
            if (this.total + needed <= this.capacity) {
                this.spent.push({ at: now, units });
                this.total += units;
                return;
            }
            await this.clock.sleep(this.roomAt(needed) - now);
        }
    }

    private expire(now: number): void {
        while (this.head < this.spent.length && this.spent[this.head]!.at + this.windowMs <= now) {
            this.total -= this.spent[this.head]!.units;
            this.head += 1;
        }
        // Drop what has left the window now and then, so the list holds about one window of calls.
        if (this.head > 1024 && this.head * 2 > this.spent.length) {
            this.spent.splice(0, this.head);
            this.head = 0;
        }
    }

    /** When enough of the oldest spending has left the window for `units` more. */
    private roomAt(units: number): number {
        let left = this.total;
        for (let index = this.head; index < this.spent.length; index += 1) {
            left -= this.spent[index]!.units;
            if (left + units <= this.capacity) return this.spent[index]!.at + this.windowMs;
        }
        return this.clock.now() + this.windowMs;
    }
}

export interface PoolOptions<T> {
    /** Requests in flight at most. */
    concurrency: number;
    /** When set, each task first takes `units` from it. */
    pacer?: Pacer;
    /** Units a task takes, the same for all or priced by item. */
    units?: number | ((item: T) => number);
}

/**
 * Runs `task` over `items` with at most `concurrency` in flight, each start paced by the pacer. Results keep the
 * order of `items`. The first failure stops new starts; it is rethrown once the tasks already started have settled,
 * so nothing keeps running after the caller has moved on.
 */
export async function mapPooled<T, R>(
    items: readonly T[],
    options: PoolOptions<T>,
    task: (item: T, index: number) => Promise<R>
): Promise<R[]> {
    const results: R[] = new Array<R>(items.length);
    const running = new Set<Promise<void>>();
    let failure: { error: unknown } | null = null;
    for (let index = 0; index < items.length && failure === null; index += 1) {
        while (running.size >= options.concurrency) await Promise.race(running);
        if (failure !== null) break;
        const item = items[index] as T;
        if (options.pacer) await options.pacer.take(typeof options.units === 'function' ? options.units(item) : (options.units ?? 1));
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
