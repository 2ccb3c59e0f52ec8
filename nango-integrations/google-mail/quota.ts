/**
 * Gmail's per-user quota, in the units Gmail meters (https://developers.google.com/workspace/gmail/api/reference/quota):
 * 15,000 units per user per minute. A 429 costs a Retry-After wait for every request in flight, so the syncs pace
 * themselves under the limit instead of discovering it, over a sliding minute: any fixed minute is one of its windows.
 */
import { sandboxClock, WindowPacer, type PaceClock } from '../shared/pace.js';

export const GMAIL_UNITS = {
    getProfile: 1,
    historyList: 2,
    messagesList: 5,
    messagesGet: 5,
    threadsList: 10,
    threadsGet: 10,
    messagesSend: 100,
    watch: 100,
    stop: 50
} as const;

export const GMAIL_UNITS_PER_MINUTE = 15_000;

/**
 * The share of the quota a run allows itself over any 60 s: 97%, so 14,550 units, leaving 450 (45 threads.get) for
 * an action sent meanwhile, a call Nango retries after a 5xx (which the pacer does not see), and calls whose latency
 * differs enough to land in one window at Google though they started 60 s apart (about 0.4 s of difference at full
 * speed). Gmail documents the limit per minute only (https://developers.google.com/workspace/gmail/api/reference/quota;
 * older pages spoke of 250 units a second as a moving average); a refusal is a 429 Nango retries after backoff.
 */
export const GMAIL_QUOTA_SHARE = 0.97;
export const GMAIL_WINDOW_MS = 60_000;

/** threads.get calls in flight: 12 at 100 ms a call spend a window's 14,550 units in about 12 s. */
export const GMAIL_CONCURRENCY = 12;

/**
 * Follows the window itself (shared/pace.ts): a run starts with a window's worth, then spends as the window frees.
 * A token bucket under the same limit would leave the first window's worth unused, a sixth of a 10k-thread backfill.
 */
export function gmailPacer(clock: PaceClock = sandboxClock, unitsPerMinute: number = GMAIL_UNITS_PER_MINUTE): WindowPacer {
    return new WindowPacer(Math.floor(unitsPerMinute * GMAIL_QUOTA_SHARE), GMAIL_WINDOW_MS, clock);
}
