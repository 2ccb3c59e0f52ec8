/**
 * Fetching threads for the gmail-threads sync: threads.get (format=full, bodies needed) for a set of ids, with a
 * bounded pool paced to Gmail's quota, each response parsed and mapped at once so only the page's records are held.
 */
import type { NangoSync } from 'nango';
import type { GmailThread } from '../../models.js';
import { isNotFound } from '../shared/google-errors.js';
import { mapPooled, type Pacer } from '../shared/pace.js';
import { maxHistoryId, toGmailThread } from './mappers.js';
import { READ_RETRIES } from './pages.js';
import { GMAIL_CONCURRENCY, GMAIL_UNITS } from './quota.js';
import { GmailApiThread, GmailMessageThreadRef } from './schemas.js';
import type { ThreadSizes } from './thread-sizes.js';

type Caller = Pick<NangoSync, 'get' | 'log'>;

export interface FetchedThreads {
    /** Threads saved (through `save`). */
    saved: number;
    /** Threads that no longer exist, or that hold no message outside SPAM and TRASH: to delete from the cache. */
    gone: string[];
    /** Threads whose every message was unreadable: neither saved nor deleted (logged). */
    unreadable: string[];
    /** The history id of each thread Gmail answered with: the thread as fetched reflects every change up to it. */
    versions: Map<string, string>;
}

/**
 * Threads are handed to `save` in chunks of this size as they arrive, so memory holds about a chunk of mapped
 * threads and the requests in flight, not the whole page; the pool keeps running meanwhile.
 */
export const SAVE_CHUNK = 100;

/**
 * And of at most this many bytes of JSON. Nango's records service refuses a request body over 100 MB
 * (NangoHQ/nango packages/persist/lib/server.ts, `maxSizeJsonRecords = '100mb'`, an express.json limit, so
 * 100 x 1024 x 1024 bytes), and its runner sends one batchSave as one request per 1,000 records
 * (packages/runner/lib/sdk/sdk.ts, `batchSize`); 10 MB are left for the request's other fields. A hundred threads
 * with large HTML bodies pass that easily, so chunks are cut by size as well as by count.
 */
export const SAVE_MAX_BYTES = 90 * 1024 * 1024;

/** Groups records into saves of at most `maxCount` records and `maxBytes` of JSON (the array's brackets and commas included). */
export class SaveChunks<T> {
    private items: T[] = [];
    private bytes = 2;

    constructor(private readonly limits: { maxCount: number; maxBytes: number }) {}

    /** Whether a record of `size` bytes can be saved at all. */
    fits(size: number): boolean {
        return size + 2 <= this.limits.maxBytes;
    }

    /** Adds a record that fits; returns the chunk to save first when the record would overflow it, or a full chunk. */
    add(record: T, size: number): T[] | null {
        const ready = this.items.length > 0 && this.bytes + size + 1 > this.limits.maxBytes ? this.take() : null;
        this.items.push(record);
        this.bytes += size + (this.items.length > 1 ? 1 : 0);
        if (ready) return ready;
        return this.items.length >= this.limits.maxCount ? this.take() : null;
    }

    /** The records added since the last chunk (possibly none). */
    take(): T[] {
        const chunk = this.items;
        this.items = [];
        this.bytes = 2;
        return chunk;
    }
}

/** The size of a record as the records service receives it: UTF-8 bytes of its JSON. */
export function jsonBytes(record: unknown): number {
    return Buffer.byteLength(JSON.stringify(record), 'utf8');
}

const HIDDEN_LABELS = ['SPAM', 'TRASH'];

/** A thread shows in Gmail's lists (threads.list without includeSpamTrash) while one message is outside SPAM and TRASH. */
export function isVisible(thread: GmailThread): boolean {
    return thread.messages.some((message) => !message.labels.some((label) => HIDDEN_LABELS.includes(label)));
}

/**
 * How a backfill reads its threads: a thread that held one message when the mailbox was listed is read as that
 * message (thread-sizes.ts), carrying the history id threads.list gave for it.
 */
export interface BySize {
    /** Sizes learnt so far: null until the listing of messages is complete. */
    sizing: { readonly sizes: ThreadSizes | null };
    /** threads.list's history id of each thread of the page. */
    historyIds: ReadonlyMap<string, string>;
}

export async function fetchThreads(
    nango: Caller,
    ids: readonly string[],
    pacer: Pacer,
    save: (threads: GmailThread[]) => Promise<void>,
    bySize: BySize | null = null
): Promise<FetchedThreads> {
    const result: FetchedThreads = { saved: 0, gone: [], unreadable: [], versions: new Map() };
    const pending = new SaveChunks<GmailThread>({ maxCount: SAVE_CHUNK, maxBytes: SAVE_MAX_BYTES });
    const unknownCharsets = new Set<string>();
    const flush = async (batch: GmailThread[] | null) => {
        if (!batch || batch.length === 0) return;
        result.saved += batch.length;
        await save(batch);
    };
    // Decided when a read starts, so sizes learnt meanwhile serve the rest of the chunk.
    const single = (id: string) => bySize?.sizing.sizes?.holdsOneMessage(id) === true;
    const units = (id: string) => (single(id) ? GMAIL_UNITS.messagesGet : GMAIL_UNITS.threadsGet);
    await mapPooled(ids, { concurrency: GMAIL_CONCURRENCY, pacer, units }, async (id) => {
        // Sizes only go from unknown to known, so a read decided now was paid for at least at its price.
        const raw = single(id) ? await getSingleMessageThread(nango, id, bySize?.historyIds.get(id), pacer) : await getThread(nango, id);
        if (raw === null || (raw.messages ?? []).length === 0) {
            result.gone.push(id);
            return;
        }
        const mapped = toGmailThread(raw);
        if (mapped.thread) result.versions.set(id, mapped.thread.historyId);
        else if (raw.historyId) result.versions.set(id, raw.historyId);
        for (const charset of mapped.unknownCharsets) unknownCharsets.add(charset);
        for (const skipped of mapped.skipped) {
            await nango.log(`Skipped message ${skipped.id} of thread ${id}: ${skipped.problem}`, { level: 'warn' });
        }
        if (!mapped.thread) {
            result.unreadable.push(id);
            await nango.log(`Skipped thread ${id}: none of its messages could be read`, { level: 'warn' });
        } else if (!isVisible(mapped.thread)) {
            result.gone.push(id);
        } else {
            const size = jsonBytes(mapped.thread);
            if (pending.fits(size)) {
                await flush(pending.add(mapped.thread, size));
            } else {
                result.unreadable.push(id);
                await nango.log(`Skipped thread ${id}: its ${size} bytes of JSON exceed what one save may carry (${SAVE_MAX_BYTES})`, {
                    level: 'error'
                });
            }
        }
    });
    await flush(pending.take());
    if (unknownCharsets.size > 0) {
        await nango.log(`Unknown charsets read as UTF-8: ${[...unknownCharsets].join(', ')}`, { level: 'warn' });
    }
    return result;
}

/**
 * A thread of one message, read with messages.get: Gmail gives a thread the id of its first message (observed, not
 * documented), so the thread's id names its message. The answer is used when it is that thread's message; otherwise
 * (the first message deleted since, an id scheme that differs) the thread is read with threads.get. Its history id
 * is the later of the listing's and the message's: a change to the message since the listing moved both.
 */
async function getSingleMessageThread(
    nango: Caller,
    id: string,
    listedHistoryId: string | undefined,
    pacer: Pacer
): Promise<GmailApiThread | null> {
    const readAsThread = async () => {
        await pacer.take(GMAIL_UNITS.threadsGet);
        return getThread(nango, id);
    };
    let message: unknown;
    try {
        // https://developers.google.com/workspace/gmail/api/reference/rest/v1/users.messages/get
        const response = await nango.get({
            endpoint: `/gmail/v1/users/me/messages/${encodeURIComponent(id)}`,
            params: { format: 'full' },
            retries: READ_RETRIES
        });
        message = response.data;
    } catch (error) {
        if (!isNotFound(error)) throw error;
        return readAsThread();
    }
    const ref = GmailMessageThreadRef.safeParse(message);
    if (!ref.success || ref.data.threadId !== id) return readAsThread();
    const historyIds = [listedHistoryId, ref.data.historyId].filter((value): value is string => typeof value === 'string');
    return { id, historyId: historyIds.length > 0 ? maxHistoryId(historyIds) : null, messages: [message] };
}

/** threads.get?format=full, parsed; null when the thread is gone (deleted since it was listed or named in history). */
async function getThread(nango: Caller, id: string): Promise<GmailApiThread | null> {
    try {
        // https://developers.google.com/workspace/gmail/api/reference/rest/v1/users.threads/get
        const response = await nango.get({
            endpoint: `/gmail/v1/users/me/threads/${encodeURIComponent(id)}`,
            params: { format: 'full' },
            retries: READ_RETRIES
        });
        return GmailApiThread.parse(response.data);
    } catch (error) {
        if (isNotFound(error)) return null;
        throw error;
    }
}
