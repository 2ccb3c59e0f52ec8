/**
 * Gmail's push watch (users.watch / users.stop) for a connection whose metadata names a Pub/Sub topic (`pushTopic`).
 * https://developers.google.com/workspace/gmail/api/guides/push
 *
 * Gmail stops notifying 7 days after the last watch call and asks for a renewal at least that often, daily
 * recommended; each call replaces the mailbox's watch. post-connection-creation starts it, every gmail-threads run
 * that finds it a day old (or never started, or expired) renews it, or stops it once `pushTopic` is removed, and
 * pre-connection-deletion stops it. The state
 * lives in the connection's metadata (models.ts GmailThreadsMetadata), where the webhook reads where pushes start.
 */
import type { NangoAction } from 'nango';
import type { GmailThreadsMetadata } from '../../models.js';
import { describeFailure } from '../shared/google-errors.js';
import type { Pacer } from '../shared/pace.js';
import { READ_RETRIES } from './pages.js';
import { GMAIL_UNITS } from './quota.js';
import { GmailWatchResponse } from './schemas.js';

type Caller = Pick<NangoAction, 'post' | 'log'>;

/** Renew once a watch is this old: Google recommends calling watch once a day. */
export const WATCH_RENEW_AFTER_MS = 86_400_000;

/** Watch and stop are idempotent (a watch replaces the previous one), so they are retried like reads. */
const WATCH_RETRIES = READ_RETRIES;

export type WatchMetadata = Pick<GmailThreadsMetadata, 'pushWatchHistoryId' | 'pushWatchRenewedAt' | 'pushWatchExpiresAt'>;

/** Whether a run at `now` should (re)start the watch: push is on and the watch is missing, a day old or expired. */
export function watchDue(metadata: GmailThreadsMetadata, now: number): boolean {
    if (!metadata.pushTopic) return false;
    if (!metadata.pushWatchRenewedAt || !metadata.pushWatchExpiresAt) return true;
    return now - Date.parse(metadata.pushWatchRenewedAt) >= WATCH_RENEW_AFTER_MS || Date.parse(metadata.pushWatchExpiresAt) <= now;
}

/**
 * Starts or renews the watch on `metadata.pushTopic`; returns the metadata to record. `pushWatchHistoryId` is where
 * pushes have flowed from without a gap: a renewal of a live watch keeps it, a watch started anew (none, or
 * expired) takes Gmail's answer, the mailbox's history id now.
 */
export async function startWatch(nango: Caller, metadata: GmailThreadsMetadata, now: number): Promise<WatchMetadata> {
    const topicName = metadata.pushTopic;
    if (!topicName) throw new Error('metadata.pushTopic is not set: push is off');
    // https://developers.google.com/workspace/gmail/api/reference/rest/v1/users/watch
    const response = await nango.post({ endpoint: '/gmail/v1/users/me/watch', data: { topicName }, retries: WATCH_RETRIES });
    const watch = GmailWatchResponse.parse(response.data);
    const live = metadata.pushWatchHistoryId && metadata.pushWatchExpiresAt && Date.parse(metadata.pushWatchExpiresAt) > now;
    const historyId = live ? metadata.pushWatchHistoryId! : watch.historyId;
    const expiresAt = new Date(Number(watch.expiration)).toISOString();
    await nango.log(`Gmail watch on ${topicName} ${live ? 'renewed' : 'started'} until ${expiresAt}; pushes from history id ${historyId}`);
    return { pushWatchHistoryId: historyId, pushWatchRenewedAt: new Date(now).toISOString(), pushWatchExpiresAt: expiresAt };
}

/**
 * Stops the mailbox's watch. Never throws: a connection being deleted must go even when Gmail refuses (a revoked
 * token) or the watch is already gone; Gmail stops notifying at the expiration anyway. Returns whether Gmail
 * confirmed.
 */
export async function stopWatch(nango: Caller): Promise<boolean> {
    try {
        // https://developers.google.com/workspace/gmail/api/reference/rest/v1/users/stop
        await nango.post({ endpoint: '/gmail/v1/users/me/stop', retries: WATCH_RETRIES });
        await nango.log('Gmail watch stopped');
        return true;
    } catch (error) {
        await nango.log(`Could not stop the Gmail watch (${describeFailure(error)}); it ends by itself within 7 days`, { level: 'error' });
        return false;
    }
}

/**
 * The renewal a gmail-threads run makes before syncing. A refusal (a topic that no longer exists or no longer grants
 * publish, a 429) is logged and the poll goes on: mail keeps syncing by polling, and the next run tries again.
 */
export async function renewWatchIfDue(
    nango: Caller & { updateMetadata(patch: WatchMetadata): Promise<unknown> },
    metadata: GmailThreadsMetadata,
    pacer: Pacer
): Promise<void> {
    const now = Date.now();
    if (!metadata.pushTopic) {
        // Push turned off while a watch still runs: stop it, and record it as ended so later runs leave it be.
        const running = metadata.pushWatchExpiresAt !== undefined && Date.parse(metadata.pushWatchExpiresAt) > now;
        if (running && (await stopWatch(nango))) await nango.updateMetadata({ pushWatchExpiresAt: new Date(now).toISOString() });
        return;
    }
    if (!watchDue(metadata, now)) return;
    try {
        await pacer.take(GMAIL_UNITS.watch);
        await nango.updateMetadata(await startWatch(nango, metadata, now));
    } catch (error) {
        await nango.log(`Could not renew the Gmail watch on ${metadata.pushTopic} (${describeFailure(error)}); polling goes on`, {
            level: 'error'
        });
    }
}
