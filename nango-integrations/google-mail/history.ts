/**
 * The one history reader of gmail-threads, shared by the poll (exec's incremental run) and the push (onWebhook):
 * history.list from a start id, every thread a change names fetched whole and saved (or deleted when gone), and,
 * after each page, the id up to which every change has been applied, for the caller to checkpoint.
 *
 * State boundary: history.list returns the records AFTER `startHistoryId`, so a caller that resumes from the id
 * handed to `onHandled` replays nothing it applied and skips nothing. A thread is fetched at its current state, so
 * applying a change twice (poll and push overlapping) saves the same record twice: an upsert, nothing lost.
 * A 404 (start id older than Gmail's history) propagates: the poll resyncs, the push leaves it to the poll.
 */
import type { NangoSync } from 'nango';
import type { GmailThread } from '../../models.js';
import type { Pacer } from '../shared/pace.js';
import { compareHistoryIds, maxHistoryId } from './mappers.js';
import { historyPages } from './pages.js';
import { fetchThreads } from './threads.js';

type Caller = Pick<NangoSync, 'get' | 'log'>;

export interface HistoryApplied {
    changed: number;
    deleted: number;
}

export async function applyHistory(
    nango: Caller,
    options: {
        startHistoryId: string;
        pacer: Pacer;
        save: (threads: GmailThread[]) => Promise<void>;
        remove: (ids: string[]) => Promise<void>;
        /** After each page: every change up to this id is applied. */
        onHandled: (historyId: string) => Promise<void>;
    }
): Promise<HistoryApplied> {
    // A thread fetched earlier in this run already shows every change up to the history id it came with; a change
    // recorded after that id (made while the run went on, found on a later page) needs the thread fetched again.
    const fetchedAt = new Map<string, string>();
    const applied: HistoryApplied = { changed: 0, deleted: 0 };
    for await (const page of historyPages(nango, { startHistoryId: options.startHistoryId, pacer: options.pacer })) {
        const threadIds = new Set<string>();
        for (const record of page.history ?? []) {
            for (const change of [
                ...(record.messagesAdded ?? []),
                ...(record.messagesDeleted ?? []),
                ...(record.labelsAdded ?? []),
                ...(record.labelsRemoved ?? [])
            ]) {
                const seen = fetchedAt.get(change.message.threadId);
                if (seen === undefined || compareHistoryIds(record.id, seen) > 0) threadIds.add(change.message.threadId);
            }
        }
        const fetched = await fetchThreads(nango, [...threadIds], options.pacer, options.save);
        // Gone: deleted, or left with no message outside SPAM and TRASH (threads.list no longer shows it).
        if (fetched.gone.length > 0) await options.remove(fetched.gone);
        for (const [id, historyId] of fetched.versions) fetchedAt.set(id, historyId);
        applied.changed += fetched.saved;
        applied.deleted += fetched.gone.length;
        // On the last page, the mailbox's current id; before it, the last record handled (history.list returns
        // the records after the start id, so a resumed run continues right after it).
        const handled = page.nextPageToken ? maxHistoryId((page.history ?? []).map((record) => record.id)) : page.historyId;
        if (handled !== '0') await options.onHandled(handled);
    }
    return applied;
}
