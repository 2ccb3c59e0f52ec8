/**
 * Fetching threads for the gmail-threads sync: threads.get (format=full, bodies needed) for a set of ids, with a
 * bounded pool paced to Gmail's quota, each response parsed and mapped at once so only the page's records are held.
 */
import type { NangoSync } from 'nango';
import type { GmailThread } from '../../models.js';
import { isNotFound } from '../shared/google-errors.js';
import { mapPooled, type TokenBucket } from '../shared/pace.js';
import { toGmailThread } from './mappers.js';
import { READ_RETRIES } from './pages.js';
import { GMAIL_CONCURRENCY, GMAIL_UNITS } from './quota.js';
import { GmailThread as GmailApiThread } from './schemas.js';

type Caller = Pick<NangoSync, 'get' | 'log'>;

export interface FetchedThreads {
    /** Threads to save. */
    threads: GmailThread[];
    /** Threads that no longer exist, or that hold no message outside SPAM and TRASH: to delete from the cache. */
    gone: string[];
    /** Threads whose every message was unreadable: neither saved nor deleted (logged). */
    unreadable: string[];
}

const HIDDEN_LABELS = ['SPAM', 'TRASH'];

/** A thread shows in Gmail's lists (threads.list without includeSpamTrash) while one message is outside SPAM and TRASH. */
export function isVisible(thread: GmailThread): boolean {
    return thread.messages.some((message) => !message.labels.some((label) => HIDDEN_LABELS.includes(label)));
}

export async function fetchThreads(nango: Caller, ids: readonly string[], bucket: TokenBucket): Promise<FetchedThreads> {
    const result: FetchedThreads = { threads: [], gone: [], unreadable: [] };
    const outcomes = await mapPooled(ids, { concurrency: GMAIL_CONCURRENCY, bucket, units: GMAIL_UNITS.threadsGet }, async (id) => {
        try {
            // https://developers.google.com/workspace/gmail/api/reference/rest/v1/users.threads/get
            const response = await nango.get({
                endpoint: `/gmail/v1/users/me/threads/${encodeURIComponent(id)}`,
                params: { format: 'full' },
                retries: READ_RETRIES
            });
            return { id, raw: GmailApiThread.parse(response.data) };
        } catch (error) {
            // Deleted between the listing (or the history record) and this call.
            if (isNotFound(error)) return { id, raw: null };
            throw error;
        }
    });
    const unknownCharsets = new Set<string>();
    for (const outcome of outcomes) {
        if (outcome.raw === null || (outcome.raw.messages ?? []).length === 0) {
            result.gone.push(outcome.id);
            continue;
        }
        const mapped = toGmailThread(outcome.raw);
        for (const charset of mapped.unknownCharsets) unknownCharsets.add(charset);
        for (const skipped of mapped.skipped) {
            await nango.log(`Skipped message ${skipped.id} of thread ${outcome.id}: ${skipped.problem}`, { level: 'warn' });
        }
        if (!mapped.thread) {
            result.unreadable.push(outcome.id);
            await nango.log(`Skipped thread ${outcome.id}: none of its messages could be read`, { level: 'warn' });
        } else if (isVisible(mapped.thread)) result.threads.push(mapped.thread);
        else result.gone.push(outcome.id);
    }
    if (unknownCharsets.size > 0) {
        await nango.log(`Unknown charsets read as UTF-8: ${[...unknownCharsets].join(', ')}`, { level: 'warn' });
    }
    return result;
}
