/**
 * gmail-threads' onWebhook: a Gmail push (Pub/Sub) applies the changes since the last handled history id, with the
 * poll's own history reader (history.ts).
 *
 * State boundaries:
 * - Nango keys a webhook run's checkpoint apart from the sync's (`webhook:<sync>` against `sync:<sync>:<variant>`,
 *   NangoHQ/nango packages/utils/lib/checkpoint/checkpoint.ts, used by packages/runner/lib/sdk/sdk.ts), so a push
 *   can neither read nor move the poll's checkpoint. The webhook checkpoint has the poll's shape (phase
 *   `incremental`, `historyId` = where the next history.list starts): every change up to it is applied.
 * - A push whose history id is not beyond that point (a duplicate, one delivered late or out of order) is a no-op.
 *   The first push starts from `pushWatchHistoryId`, the id the watch started at, before any of its pushes.
 * - Push and poll may both apply a change; each fetches the thread as it is now, so the later fetch is the newer,
 *   but the later write need not be. The rule that loses nothing: a poll's copy older than the cache's can only
 *   come from a fetch made before the newer change, so the poll's checkpoint is still before that change and its
 *   next run fetches the thread again; a push's stale copy has no such repair once the poll's checkpoint is past.
 *   So the push merges with `ignore_if_modified_after` (a thread written by anyone since this run started is left
 *   as it is; if that copy is the poll's older one, the repair above applies) and the poll keeps Nango's default,
 *   override. Nango's merge rule: packages/runner/lib/sdk/sdk.ts setMergingStrategy takes the model's last records
 *   cursor, and packages/records/lib/stores/postgres/postgres.ts upserts only records not modified after it.
 */
import type { NangoSync } from 'nango';
import type { GmailThread, GmailThreadsMetadata } from '../../models.js';
import { isExpiredHistoryId } from '../shared/google-errors.js';
import type { Pacer } from '../shared/pace.js';
import { applyHistory } from './history.js';
import { compareHistoryIds } from './mappers.js';
import { READ_RETRIES } from './pages.js';
import { GMAIL_UNITS } from './quota.js';
import { GmailProfile, GmailPushData, PubSubGmailPush } from './schemas.js';

/** The webhook's checkpoint: the poll's incremental shape, so it passes the sync's declared checkpoint schema. */
export interface HistoryCheckpoint {
    phase: 'incremental';
    historyId: string;
    pageToken: '';
    afterThreadId: '';
    query: '';
    resync: false;
}

export function historyCheckpoint(historyId: string): HistoryCheckpoint {
    return { phase: 'incremental', historyId, pageToken: '', afterThreadId: '', query: '', resync: false };
}

/** What onWebhook needs of the sync's `nango`. */
export interface PushNango extends Pick<NangoSync, 'get' | 'log'> {
    getCheckpoint(): Promise<unknown>;
    saveCheckpoint(checkpoint: HistoryCheckpoint): Promise<unknown>;
    batchSave(threads: GmailThread[], model: 'GmailThread'): unknown;
    batchDelete(ids: { id: string }[], model: 'GmailThread'): unknown;
    setMergingStrategy(merging: { strategy: 'ignore_if_modified_after' }, model: 'GmailThread'): Promise<void>;
}

export type PushReading = { ok: true; push: GmailPushData } | { ok: false; problem: string };

/** Decodes a push as Nango hands it to onWebhook (schemas.ts PubSubGmailPush): `message.data` is base64 JSON. */
export function readPush(payload: unknown): PushReading {
    const envelope = PubSubGmailPush.safeParse(payload);
    if (!envelope.success) return { ok: false, problem: 'not a Pub/Sub push (no message.data)' };
    let data: unknown;
    try {
        data = JSON.parse(Buffer.from(envelope.data.message.data, 'base64').toString('utf8'));
    } catch {
        return { ok: false, problem: 'message.data is not base64 of JSON' };
    }
    const push = GmailPushData.safeParse(data);
    if (!push.success) return { ok: false, problem: 'message.data lacks emailAddress or historyId' };
    return { ok: true, push: push.data };
}

/** The handled history id in a webhook checkpoint, or null (none yet, or not one this handler wrote). */
function handledOf(checkpoint: unknown): string | null {
    if (typeof checkpoint !== 'object' || checkpoint === null) return null;
    const { phase, historyId } = checkpoint as Record<string, unknown>;
    return phase === 'incremental' && typeof historyId === 'string' && /^\d+$/.test(historyId) ? historyId : null;
}

export async function handlePush(nango: PushNango, payload: unknown, metadata: GmailThreadsMetadata, pacer: Pacer): Promise<void> {
    // Before any proxy or records call: the records cursor is taken now (see the header).
    await nango.setMergingStrategy({ strategy: 'ignore_if_modified_after' }, 'GmailThread');
    const reading = readPush(payload);
    if (!reading.ok) {
        await nango.log(`Ignored a push: ${reading.problem}`, { level: 'warn' });
        return;
    }
    const { push } = reading;
    const mailbox = metadata.emailAddress ?? (await profileAddress(nango, pacer));
    if (push.emailAddress.toLowerCase() !== mailbox.toLowerCase()) {
        await nango.log(`Ignored a push for ${push.emailAddress}: this connection is ${mailbox}`, { level: 'warn' });
        return;
    }
    const from = handledOf(await nango.getCheckpoint()) ?? metadata.pushWatchHistoryId ?? null;
    if (from === null) {
        await nango.log(`Push at history id ${push.historyId} before any watch was recorded: its changes are left to the poll`, {
            level: 'warn'
        });
        await nango.saveCheckpoint(historyCheckpoint(push.historyId));
        return;
    }
    if (compareHistoryIds(push.historyId, from) <= 0) {
        await nango.log(`Ignored a push at history id ${push.historyId}: changes up to ${from} are already applied`);
        return;
    }
    try {
        const applied = await applyHistory(nango, {
            startHistoryId: from,
            pacer,
            save: async (threads) => {
                await nango.batchSave(threads, 'GmailThread');
            },
            remove: async (ids) => {
                await nango.batchDelete(
                    ids.map((id) => ({ id })),
                    'GmailThread'
                );
            },
            onHandled: async (historyId) => {
                await nango.saveCheckpoint(historyCheckpoint(historyId));
            }
        });
        await nango.log(`Push at history id ${push.historyId}: ${applied.changed} threads saved, ${applied.deleted} deleted`);
    } catch (error) {
        if (!isExpiredHistoryId(error)) throw error;
        // A full resync is the poll's to do (it meets the same 404); later pushes start from this one.
        await nango.log(`History id ${from} has expired (404): this push's changes are left to the poll's resync`, { level: 'warn' });
        await nango.saveCheckpoint(historyCheckpoint(push.historyId));
    }
}

async function profileAddress(nango: Pick<NangoSync, 'get'>, pacer: Pacer): Promise<string> {
    await pacer.take(GMAIL_UNITS.getProfile);
    // https://developers.google.com/workspace/gmail/api/reference/rest/v1/users/getProfile
    const response = await nango.get({ endpoint: '/gmail/v1/users/me/profile', retries: READ_RETRIES });
    return GmailProfile.parse(response.data).emailAddress;
}
