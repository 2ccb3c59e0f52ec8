/**
 * Quota accounting shared by the simulators: calls and units per API method, and the provider's per-user limit
 * enforced over a sliding window on the simulator's clock.
 */
export interface MethodUsage {
    calls: number;
    units: number;
    /** Calls refused for quota (429/403) — they are counted as calls too, as the providers do. */
    limited: number;
}

export class CallMeter {
    private readonly byMethod = new Map<string, MethodUsage>();

    record(method: string, units: number, limited = false): void {
        const usage = this.byMethod.get(method) ?? { calls: 0, units: 0, limited: 0 };
        usage.calls += 1;
        usage.units += units;
        if (limited) usage.limited += 1;
        this.byMethod.set(method, usage);
    }

    get(method: string): MethodUsage {
        return { ...(this.byMethod.get(method) ?? { calls: 0, units: 0, limited: 0 }) };
    }

    totals(): MethodUsage {
        let calls = 0;
        let units = 0;
        let limited = 0;
        for (const usage of this.byMethod.values()) {
            calls += usage.calls;
            units += usage.units;
            limited += usage.limited;
        }
        return { calls, units, limited };
    }

    snapshot(): Record<string, MethodUsage> {
        return Object.fromEntries([...this.byMethod].map(([method, usage]) => [method, { ...usage }]));
    }

    reset(): void {
        this.byMethod.clear();
    }
}

/**
 * A limit of `capacity` units per `windowMs`, over a sliding window (Gmail's units per user per minute, Calendar's
 * requests per user per minute, Salesforce's rolling 24 h allowance). `capacity: Infinity` disables it.
 */
export class SlidingWindowLimit {
    private readonly spent: { at: number; units: number }[] = [];
    private total = 0;

    constructor(
        public capacity: number,
        public windowMs: number
    ) {}

    /** Spends `units` at time `now` if the window has room; otherwise says how long until it will. */
    tryConsume(units: number, now: number): { ok: true } | { ok: false; retryAfterMs: number } {
        this.expire(now);
        if (this.total + units <= this.capacity) {
            this.spent.push({ at: now, units });
            this.total += units;
            return { ok: true };
        }
        // Wait until enough of the oldest spending has left the window.
        let freed = 0;
        for (const entry of this.spent) {
            freed += entry.units;
            if (this.total - freed + units <= this.capacity) {
                return { ok: false, retryAfterMs: Math.max(1, entry.at + this.windowMs - now) };
            }
        }
        return { ok: false, retryAfterMs: this.windowMs };
    }

    used(now: number): number {
        this.expire(now);
        return this.total;
    }

    private expire(now: number): void {
        while (this.spent.length > 0 && this.spent[0]!.at + this.windowMs <= now) {
            this.total -= this.spent.shift()!.units;
        }
    }
}
