import { createSync } from 'nango';
import { z } from 'zod';
import { GmailThread, GmailThreadsMetadata } from '../../../models.js';
import { isExpiredHistoryId } from '../../shared/google-errors.js';
import { readCheckpoint } from '../checkpoints.js';
import { applyHistory } from '../history.js';
import { GMAIL_METADATA_EXPECTED, readMetadata } from '../metadata.js';
import { READ_RETRIES, threadPages } from '../pages.js';
import { handlePush } from '../push.js';
import type { Pacer } from '../../shared/pace.js';
import { gmailPacer, GMAIL_UNITS } from '../quota.js';
import { GmailProfile } from '../schemas.js';
import { ThreadSizing } from '../thread-sizes.js';
import { fetchThreads, SAVE_CHUNK } from '../threads.js';
import { renewWatchIfDue } from '../watch.js';

/**
 * `phase: 'backfill'`: threads.list pages are being fetched; `pageToken` is the page in progress ('' = the first
 * page) and `afterThreadId` the last thread of it already saved ('' = none yet), so a cut run resumes inside the page
 * (a page token always lists the threads after the same position); `query` the search the backfill started with (kept so a resumed backfill lists the same set), `resync` whether the
 * backfill replaces an existing cache (every backfill tracks deletes). `historyId` is the mailbox's history id taken BEFORE the
 * backfill started, so the first incremental run replays every change made while it ran. Thread sizes
 * (thread-sizes.ts) are not kept: one id a thread would not fit 4,000 characters, so each execution of a backfill
 * lists the messages again, about 1% of its units.
 * `phase: 'incremental'`: `historyId` is where the next history.list starts.
 */
const Checkpoint = z.object({
    phase: z.string(),
    historyId: z.string(),
    pageToken: z.string(),
    afterThreadId: z.string(),
    query: z.string(),
    resync: z.boolean()
});
/** What a checkpoint is read with: Nango declares checkpoint fields as string, number or boolean only
 * (`ZodCheckpoint` in @nangohq/runner-sdk), so the phases are enforced here, where the checkpoint is read. */
const SavedCheckpoint = Checkpoint.extend({ phase: z.enum(['backfill', 'incremental']) });
type Checkpoint = z.infer<typeof SavedCheckpoint>;

const sync = createSync({
    description:
        'Gmail threads with their messages (headers, decoded text and HTML bodies, attachment metadata). A paced backfill, then history-based increments; an expired history id leads to a full resync.',
    version: '1.1.0',
    frequency: 'every 5 minutes',
    autoStart: true,
    scopes: ['https://www.googleapis.com/auth/gmail.readonly'],
    models: { GmailThread },
    metadata: GmailThreadsMetadata,
    checkpoint: Checkpoint,
    exec: async (nango) => {
        const metadata = readMetadata(GmailThreadsMetadata, await nango.getMetadata(), GMAIL_METADATA_EXPECTED);
        const checkpoint = readCheckpoint(SavedCheckpoint, await nango.getCheckpoint(), 'gmail-threads');
        const pacer = gmailPacer();
        // Push on: a run that finds the watch a day old renews it (watch.ts).
        await renewWatchIfDue(nango, metadata, pacer);
        if (checkpoint?.phase === 'incremental') {
            await syncIncremental(nango, checkpoint, pacer, metadata);
            return;
        }
        // No checkpoint (first run) or a backfill to resume.
        await syncBackfill(nango, checkpoint, pacer, metadata);
    },
    // Nango gives every Gmail push the type '*' (gmail-webhook-routing.ts in NangoHQ/nango).
    webhookSubscriptions: ['*'],
    onWebhook: async (nango, payload) => {
        const metadata = readMetadata(GmailThreadsMetadata, await nango.getMetadata(), GMAIL_METADATA_EXPECTED);
        await handlePush(nango, payload, metadata, gmailPacer());
    }
});

type Nango = Parameters<(typeof sync)['exec']>[0];
type GmailPacer = ReturnType<typeof gmailPacer>;

function saveTo(nango: Nango): (threads: GmailThread[]) => Promise<void> {
    return async (threads) => {
        await nango.batchSave(threads, 'GmailThread');
    };
}

async function syncBackfill(
    nango: Nango,
    resume: Checkpoint | null,
    pacer: GmailPacer,
    metadata: GmailThreadsMetadata,
    resync = resume?.resync ?? false
): Promise<void> {
    let state: Checkpoint;
    if (resume) {
        state = resume;
        await nango.log(
            `Resuming the ${state.resync ? 'resync' : 'backfill'} at page ${state.pageToken || '(first)'}${state.afterThreadId ? ` after thread ${state.afterThreadId}` : ''}`
        );
    } else {
        const days = metadata.backfillDays;
        await pacer.take(GMAIL_UNITS.getProfile);
        // Taken before listing: changes made during the backfill are replayed from here by the first incremental run.
        // https://developers.google.com/workspace/gmail/api/reference/rest/v1/users/getProfile
        const profile = GmailProfile.parse((await nango.get({ endpoint: '/gmail/v1/users/me/profile', retries: READ_RETRIES })).data);
        state = {
            phase: 'backfill',
            historyId: profile.historyId,
            pageToken: '',
            afterThreadId: '',
            query: days ? `newer_than:${days}d` : '',
            resync
        };
        await nango.saveCheckpoint(state);
    }
    // A resync replaces a cache that may hold threads deleted since: whatever it does not see is deleted at the end.
    // So does a first backfill: with push on, onWebhook may have cached threads before it, some since gone.
    // The window stays open across executions until trackDeletesEnd, so a resumed backfill opens it again.
    await nango.trackDeletesStart('GmailThread');

    // Without a window, thread sizes are learnt beside the listing, for reading threads of one as their message.
    const sizing = state.query === '' ? new ThreadSizing(nango, pacer) : null;
    try {
        state = await listAndRead(nango, state, sizing?.readPacer ?? pacer, sizing);
    } finally {
        await sizing?.stop();
    }

    await nango.trackDeletesEnd('GmailThread');
    await nango.saveCheckpoint({
        phase: 'incremental',
        historyId: state.historyId,
        pageToken: '',
        afterThreadId: '',
        query: '',
        resync: false
    });
    await nango.log(`Backfill done; changes since history id ${state.historyId} follow on the next run`);
}

/** threads.list page by page, each page's threads read a chunk at a time; returns the state after the last page. */
async function listAndRead(nango: Nango, start: Checkpoint, pacer: Pacer, sizing: ThreadSizing | null): Promise<Checkpoint> {
    let state = start;
    // Page k+1 may repeat the tail of page k when mail arrives meanwhile: skip what the previous page fetched.
    let previousPage = new Set<string>();
    // A stored page token Google refuses (stale) restarts the listing from the first page: saves are upserts.
    const restart = () => {
        state = { ...state, pageToken: '', afterThreadId: '' };
        previousPage = new Set();
    };
    for await (const page of threadPages(nango, { q: state.query, pageToken: state.pageToken || null, pacer, onRestart: restart })) {
        const ids = page.threadIds.filter((id) => !previousPage.has(id));
        const bySize = sizing && { sizing, historyIds: page.historyIds };
        // Fetched and saved a chunk at a time, each followed by a checkpoint: a cut run fetches at most one chunk again.
        for (let first = resumeIndex(ids, state.afterThreadId); first < ids.length; first += SAVE_CHUNK) {
            const chunk = ids.slice(first, first + SAVE_CHUNK);
            await fetchThreads(nango, chunk, pacer, saveTo(nango), bySize);
            if (first + SAVE_CHUNK < ids.length) {
                state = { ...state, afterThreadId: chunk[chunk.length - 1]! };
                await nango.saveCheckpoint(state);
            }
        }
        previousPage = new Set(page.threadIds);
        if (page.nextPageToken) {
            state = { ...state, pageToken: page.nextPageToken, afterThreadId: '' };
            await nango.saveCheckpoint(state);
        }
    }
    return state;
}

/**
 * Where a resumed page starts: after the last thread saved. Threads only leave a page (a thread that gains mail moves
 * to the top, where the history replay covers it) or come back into it by changing, so the ones after it keep their
 * order; if that thread itself has left the page, the whole page is fetched again (saves are upserts).
 */
function resumeIndex(ids: readonly string[], afterThreadId: string): number {
    if (afterThreadId === '') return 0;
    return ids.indexOf(afterThreadId) + 1;
}

async function syncIncremental(nango: Nango, state: Checkpoint, pacer: GmailPacer, metadata: GmailThreadsMetadata): Promise<void> {
    let applied;
    try {
        applied = await applyHistory(nango, {
            startHistoryId: state.historyId,
            pacer,
            save: saveTo(nango),
            remove: async (ids) => {
                await nango.batchDelete(
                    ids.map((id) => ({ id })),
                    'GmailThread'
                );
            },
            onHandled: async (historyId) => {
                await nango.saveCheckpoint({ ...state, historyId });
            }
        });
    } catch (error) {
        if (!isExpiredHistoryId(error)) throw error;
        await nango.log(`History id ${state.historyId} has expired (404): resyncing the whole mailbox`, { level: 'warn' });
        await syncBackfill(nango, null, pacer, metadata, true);
        return;
    }
    await nango.log(`Incremental run: ${applied.changed} threads saved, ${applied.deleted} deleted`);
}

export default sync;
