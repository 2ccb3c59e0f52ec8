/**
 * The People API's per-user read quota, and the pacing gmail-contacts keeps under it.
 *
 * People meters connections.list as "Critical read requests (Contact and Profile Reads)": 90 per minute per user, as
 * the Google Cloud console's quota page for people.googleapis.com shows it (the public docs do not print the number).
 * A read over it is refused with 429 RESOURCE_EXHAUSTED, which Nango retries after 3 s, 6 s, 12 s... while the whole
 * listing waits, so the sync stays under the limit instead of discovering it. The limit is a sliding window, which
 * shared/pace.ts's WindowPacer follows.
 */
import { sandboxClock, WindowPacer, type PaceClock } from '../shared/pace.js';

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

export function peoplePacer(clock: PaceClock = sandboxClock): WindowPacer {
    return new WindowPacer(Math.floor(PEOPLE_READS_PER_MINUTE * PEOPLE_QUOTA_SHARE), PEOPLE_WINDOW_MS, clock);
}
