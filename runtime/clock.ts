/**
 * Time as the runtime and the simulators see it. Tests use a virtual clock so that backoff, Retry-After, latency
 * and per-minute quotas cost no real time; the runner and the bench use the system clock, optionally scaled.
 */
export interface Clock {
    /** Milliseconds since the epoch, on this clock's time line. */
    now(): number;
    /** Resolves once `ms` have passed on this clock. */
    sleep(ms: number): Promise<void>;
}

/**
 * Wall-clock time. With `scale` > 1, every sleep is `scale` times shorter than asked while `now()` advances
 * `scale` times faster, so latency, backoff and quota windows all shrink by the same factor and their ratios hold.
 */
export class SystemClock implements Clock {
    private readonly origin = Date.now();

    constructor(private readonly scale = 1) {
        if (!(scale >= 1)) throw new Error(`clock scale must be >= 1, got ${scale}`);
    }

    now(): number {
        return this.origin + (Date.now() - this.origin) * this.scale;
    }

    sleep(ms: number): Promise<void> {
        const real = ms / this.scale;
        return real <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, real));
    }
}

/**
 * A clock that never waits. A sleep moves time forward to the sleeper's wake-up time, unless some other sleeper
 * already moved it further: sleeps that overlap (concurrent requests) cost the longest of them, not their sum,
 * and sleeps in sequence add up, as they would in real time.
 */
export class VirtualClock implements Clock {
    private current: number;

    constructor(start: number | Date = Date.UTC(2026, 0, 15, 12, 0, 0)) {
        this.current = typeof start === 'number' ? start : start.getTime();
    }

    now(): number {
        return this.current;
    }

    async sleep(ms: number): Promise<void> {
        const wake = this.current + Math.max(0, ms);
        // Yield once so that requests started together all register before time moves.
        await Promise.resolve();
        if (wake > this.current) this.current = wake;
    }

    /** Moves time forward without anybody sleeping, e.g. to let a quota window or a sync token lapse. */
    advance(ms: number): void {
        this.current += ms;
    }
}
