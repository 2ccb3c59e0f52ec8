/**
 * Gmail's per-user quota, in the units Gmail meters (https://developers.google.com/workspace/gmail/api/reference/quota):
 * 15,000 units per user per minute. A 429 costs a Retry-After wait for every request in flight, so the syncs pace
 * themselves under the limit instead of discovering it.
 */
import { TokenBucket, type PaceClock, sandboxClock } from '../shared/pace.js';

export const GMAIL_UNITS = {
    getProfile: 1,
    historyList: 2,
    messagesGet: 5,
    threadsList: 10,
    threadsGet: 10,
    messagesSend: 100,
    watch: 100,
    stop: 50
} as const;

export const GMAIL_UNITS_PER_MINUTE = 15_000;

/**
 * 97% of the quota, with a 10-call burst: over any 60 s window the bucket spends at most 100 + 0.97 × 15,000 =
 * 14,650 units, leaving room for a run that starts right after another and for an action sent meanwhile.
 */
export const GMAIL_QUOTA_SHARE = 0.97;
export const GMAIL_BURST_UNITS = 100;

/** threads.get calls in flight: the quota allows ~24/s, so 12 in flight keeps pace up to ~480 ms per call. */
export const GMAIL_CONCURRENCY = 12;

export function gmailBucket(clock: PaceClock = sandboxClock, unitsPerMinute: number = GMAIL_UNITS_PER_MINUTE): TokenBucket {
    return new TokenBucket((unitsPerMinute * GMAIL_QUOTA_SHARE) / 60, GMAIL_BURST_UNITS, clock);
}
