/**
 * The People API's per-user read quota, and the pacing gmail-contacts keeps under it.
 *
 * People meters connections.list as "Critical read requests (Contact and Profile Reads)": 90 per minute per user, as
 * the Google Cloud console's quota page for people.googleapis.com shows it (the public docs do not print the number).
 * A read over it is refused with 429 RESOURCE_EXHAUSTED, which Nango retries after 3 s, 6 s, 12 s... while the whole
 * listing waits, so the sync stays under the limit instead of discovering it.
 */
import { sandboxClock, type PaceClock } from '../shared/pace.js';

export const PEOPLE_READS_PER_MINUTE = 90;

/**
 * Calls this sync allows itself per window: 97% of the quota (87 of 90), leaving a few reads for whatever else reads
 * the same user's contacts, and for a call Nango retries after a 5xx, which the pacer does not see.
 */
export const PEOPLE_QUOTA_SHARE = 0.97;

/**
 * The window a start stays counted: a minute, plus a second for the request's way to Google, so a call that left
 * just after a minute cannot arrive inside the minute of the call it follows.
 */
export const PEOPLE_WINDOW_MS = 61_000;

/**
 * At most `capacity` calls start within any `windowMs`, the shape of the limit People enforces, tracked by the
 * start times of the calls still in the window. A token bucket (shared/pace.ts) would have to keep burst + rate × a
 * minute under 90, so 100 pages would take at least 67 s; following the window itself lets 87 pages go at once and
 * each of the others as soon as the window has room, which is all the quota allows.
 */
export class WindowPacer {
    private readonly starts: number[] = [];

    constructor(
        private readonly capacity: number,
        private readonly windowMs: number,
        private readonly clock: PaceClock = sandboxClock
    ) {
        if (!(capacity >= 1) || !(windowMs > 0)) throw new Error('WindowPacer needs a capacity of at least 1 and a positive window');
    }

    /** Resolves when one more call may start, and counts it. */
    async take(): Promise<void> {
        for (;;) {
            const now = this.clock.now();
            while (this.starts.length > 0 && this.starts[0]! + this.windowMs <= now) this.starts.shift();
            if (this.starts.length < this.capacity) {
                this.starts.push(now);
                return;
            }
            await this.clock.sleep(this.starts[0]! + this.windowMs - now);
        }
    }
}

export function peoplePacer(clock: PaceClock = sandboxClock): WindowPacer {
    return new WindowPacer(Math.floor(PEOPLE_READS_PER_MINUTE * PEOPLE_QUOTA_SHARE), PEOPLE_WINDOW_MS, clock);
}
