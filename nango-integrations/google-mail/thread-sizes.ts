/**
 * Which threads hold a single message, learnt from messages.list before the bodies are read, so the backfill reads
 * such a thread with messages.get (5 units) instead of threads.get (10). Notifications, receipts and newsletters are
 * threads of one, often most of a mailbox; at Gmail's per-minute quota the backfill is bound by units, so each one
 * read this way is read in half the time.
 *
 * messages.list gives each message's id and thread id, 500 a page at 5 units, spam and trash included so a thread's
 * count is exact (threads.get returns those messages too). With a backfill window (`q`) the listing would count only
 * the messages inside it, so a thread reaching across the window's edge would look single: sizes are then not used.
 *
 * The counts are as of the listing. A thread that changes afterwards (a reply, a deletion) has a history record
 * after the backfill's starting history id, so the first incremental run reads it again with threads.get.
 */
import type { NangoSync } from 'nango';
import type { Pacer, WindowPacer } from '../shared/pace.js';
import { messagePages } from './pages.js';

type Caller = Pick<NangoSync, 'get' | 'log'>;

/** The share of the quota window kept for the listing of messages while it runs (see ThreadSizing.readPacer). */
const SIZING_SHARE = 0.2;

/** Gmail's ids are 16 hex digits (a time and a counter); those are kept as 64-bit numbers, 8 bytes a message. */
const PACKED_ID = /^[0-9a-f]{16}$/;

export class ThreadSizes {
    constructor(
        /** Ids of the single-message threads that pack, sorted. */
        private readonly packed: BigUint64Array,
        /** Those that do not pack (none in a real mailbox). */
        private readonly others: ReadonlySet<string>
    ) {}

    get singleCount(): number {
        return this.packed.length + this.others.size;
    }

    /** Whether the thread held exactly one message when the mailbox was listed. */
    holdsOneMessage(threadId: string): boolean {
        if (!PACKED_ID.test(threadId)) return this.others.has(threadId);
        const id = BigInt(`0x${threadId}`);
        let low = 0;
        let high = this.packed.length;
        while (low < high) {
            const mid = (low + high) >> 1;
            if (this.packed[mid]! < id) low = mid + 1;
            else high = mid;
        }
        return low < this.packed.length && this.packed[low] === id;
    }
}

/** Counts messages per thread id, packed; `finish` keeps the threads seen exactly once. */
export class ThreadSizeCounter {
    private ids = new BigUint64Array(4096);
    private length = 0;
    private readonly otherCounts = new Map<string, number>();

    add(threadId: string): void {
        if (!PACKED_ID.test(threadId)) {
            this.otherCounts.set(threadId, (this.otherCounts.get(threadId) ?? 0) + 1);
            return;
        }
        if (this.length === this.ids.length) {
            const grown = new BigUint64Array(this.ids.length * 2);
            grown.set(this.ids);
            this.ids = grown;
        }
        this.ids[this.length] = BigInt(`0x${threadId}`);
        this.length += 1;
    }

    finish(): ThreadSizes {
        const sorted = this.ids.subarray(0, this.length).sort();
        let singles = 0;
        for (let start = 0; start < sorted.length;) {
            let end = start + 1;
            while (end < sorted.length && sorted[end] === sorted[start]) end += 1;
            if (end - start === 1) sorted[singles++] = sorted[start]!;
            start = end;
        }
        const others = new Set([...this.otherCounts].filter(([, count]) => count === 1).map(([id]) => id));
        const packed = sorted.slice(0, singles);
        this.ids = new BigUint64Array(0);
        this.length = 0;
        return new ThreadSizes(packed, others);
    }
}

/**
 * Lists every message in the background while the backfill starts reading: until `sizes` is known every thread is
 * read with threads.get. `stop` ends the listing after the page in flight; the backfill awaits it before it returns,
 * so no call outlives the run. A failed listing is logged and leaves the sizes unknown: they only save units.
 * The `sizes` are set only once the listing is complete, never from part of it.
 */
export class ThreadSizing {
    sizes: ThreadSizes | null = null;
    /**
     * The backfill's reads take their units through this while the listing runs, leaving a fifth of the window to
     * it: otherwise reads in the pool take every unit the window frees and the listing, which the cheaper reads wait
     * on, crawls (a 100k mailbox's 485 pages took minutes instead of 49 s, all its reads meanwhile at 10 units). A
     * fifth of 14,550 units is 582 pages a minute, about what the listing makes at 100 ms a call (600), and it also
     * takes whatever room the reads leave.
     */
    readonly readPacer: Pacer;
    private stopped = false;
    private listed = false;
    private readonly listing: Promise<void>;

    constructor(nango: Caller, pacer: WindowPacer) {
        const reserve = Math.floor(pacer.capacity * SIZING_SHARE);
        this.readPacer = { take: (units) => pacer.take(units, () => (this.listed || this.stopped ? 0 : reserve)) };
        // Nobody awaits the listing until `stop`, so it must never reject: a rejection nobody handles yet ends the
        // process (Node's default), here as on Nango's runner.
        this.listing = this.list(nango, pacer).catch(async (error: unknown) => {
            this.listed = true;
            if (this.stopped) return;
            const reason = error instanceof Error ? error.message : String(error);
            try {
                await nango.log(`Could not learn thread sizes (${reason}): every thread is read with threads.get`, { level: 'warn' });
            } catch {
                // The run is over (cut or failed): its own next call reports that, and there is nobody left to tell.
            }
        });
    }

    async stop(): Promise<void> {
        this.stopped = true;
        await this.listing;
    }

    private async list(nango: Caller, pacer: Pacer): Promise<void> {
        const counter = new ThreadSizeCounter();
        let messages = 0;
        for await (const page of messagePages(nango, { pacer })) {
            if (this.stopped) return;
            for (const message of page.messages ?? []) counter.add(message.threadId);
            messages += page.messages?.length ?? 0;
        }
        this.sizes = counter.finish();
        this.listed = true;
        await nango.log(
            `Thread sizes learnt from ${messages} messages: ${this.sizes.singleCount} threads of one message read with messages.get`
        );
    }
}
