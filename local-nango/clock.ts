import type { Clock } from '../runtime/clock.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The local API's clock: another clock moved forward by an offset that can grow. Nothing of Nango's: it lets a
 * rehearsal or a developer see what 40 days do to the cache (payload pruning) without waiting 40 days. The
 * simulators read the same clock, so the providers age with it.
 */
export class ShiftedClock implements Clock {
    constructor(
        private readonly base: Clock,
        private offsetMs = 0
    ) {}

    now(): number {
        return this.base.now() + this.offsetMs;
    }

    sleep(ms: number): Promise<void> {
        return this.base.sleep(ms);
    }

    /** Moves this clock forward by `ms` (never back: the cache's timestamps must not go back in time). */
    advance(ms: number): void {
        if (!(ms >= 0)) throw new Error(`the local clock moves forward only, got ${ms} ms`);
        this.offsetMs += ms;
    }

    get offset(): number {
        return this.offsetMs;
    }
}

/** `40d`, `12h`, `30m`, `90s` or plain milliseconds, as given to `serve --clock-offset` and the admin route. */
export function parseDuration(text: string): number {
    const match = /^(\d+(?:\.\d+)?)(d|h|m|s|ms)?$/.exec(text.trim());
    if (!match) throw new Error(`"${text}" is not a duration (e.g. 40d, 12h, 30m, 90s)`);
    const unit = { d: DAY_MS, h: 3_600_000, m: 60_000, s: 1000, ms: 1 }[(match[2] ?? 'ms') as 'd' | 'h' | 'm' | 's' | 'ms'];
    return Number(match[1]) * unit;
}
