import type { Clock } from '../../runtime/clock.js';
import { Random } from '../common/random.js';
import { LabelSets } from './labels.js';
import { parseMime, type MimeNode } from './mime.js';
import { generateMessage, generatedMessageId, makePeople, ownerName, type Person } from './seed.js';
import { MailboxWatch, type PubSubSetup } from './watch.js';

/**
 * The mailbox: threads of messages, labels, and the history log, with Gmail's rules for how they change. Every
 * change is one history record with a fresh, larger id (ids are increasing but not contiguous, as in Gmail); a
 * message's historyId is the record that last touched it, and a thread's historyId the last record that touched
 * any of its messages (including a deletion). Generated messages keep only their seeds; their MIME is rebuilt
 * on demand.
 */

export type HistoryType = 'messageAdded' | 'messageDeleted' | 'labelAdded' | 'labelRemoved';
export const historyTypes: readonly HistoryType[] = ['messageAdded', 'messageDeleted', 'labelAdded', 'labelRemoved'];

export interface StoredMessage {
    id: string;
    threadId: string;
    historyId: number;
    internalDate: number;
    labelIds: readonly string[];
    /** Generated mail: the seeds it is rebuilt from. */
    seed: number;
    position: number;
    fromOwner: boolean;
    root?: string | undefined;
    parent?: string | undefined;
    /** Sent mail: the message as stored (latin1 string of its bytes) and its Message-ID. */
    raw?: string | undefined;
    rfcMessageId?: string | undefined;
}

export interface StoredThread {
    id: string;
    seed: number;
    historyId: number;
    /** Oldest first. */
    messages: StoredMessage[];
}

export interface HistoryRecord {
    id: number;
    at: number;
    type: HistoryType;
    messageId: string;
    threadId: string;
    /** The message's labels right after the change. */
    labelIds: readonly string[];
    /** labelAdded / labelRemoved: the labels that changed. */
    changed?: readonly string[] | undefined;
}

/**
 * Share of seeded threads that hold a single message. 0.4 is what the seed has always drawn (tests depend on it); a
 * real mailbox holds more: Yahoo Research reports that machines write about 90% of the mail its users receive
 * ("Adapting to the Evolution of Email with Machine-Generated Mail Mining", research.yahoo.com, 2017), and receipts,
 * notifications and newsletters are rarely answered, so each is a thread of one. The bench's thread-size experiment
 * states its own share (bench/cases.ts).
 */
export const DEFAULT_SINGLE_MESSAGE_SHARE = 0.4;

export interface MailboxOptions {
    clock: Clock;
    seed?: number;
    threads?: number;
    emailAddress?: string;
    /** How long history records are kept (Gmail: at least a week, sometimes only hours). */
    historyRetentionMs?: number;
    /** The seeded mail spreads over this many days before the clock's now. */
    spanDays?: number;
    /** The Pub/Sub project and topics users.watch accepts. */
    pubsub?: PubSubSetup;
}

export const DAY = 86_400_000;

export class Mailbox {
    readonly clock: Clock;
    readonly seed: number;
    readonly owner: Person;
    readonly people: Person[];
    readonly labels = new LabelSets();
    readonly threads = new Map<string, StoredThread>();
    readonly messages = new Map<string, StoredMessage>();
    history: HistoryRecord[] = [];
    historyId = 0;
    /** A startHistoryId below this answers 404: the records after it are no longer all kept. */
    horizon = 0;
    historyRetentionMs: number;
    /** Bumped on every change; list caches compare it. */
    version = 0;
    idCounter = 0;
    /** users.watch state; told of every history record written. */
    readonly watch: MailboxWatch;
    private threadOrder: StoredThread[] | null = null;
    private messageOrder: StoredMessage[] | null = null;

    constructor(options: MailboxOptions) {
        this.clock = options.clock;
        this.seed = options.seed ?? 1;
        this.owner = { name: ownerName, address: options.emailAddress ?? 'morgan.lee@example.com' };
        this.people = makePeople(this.seed);
        this.historyRetentionMs = options.historyRetentionMs ?? 7 * DAY;
        this.watch = new MailboxWatch(this.clock, this.owner.address, options.pubsub);
    }

    // ---- seeding -------------------------------------------------------------------------------------------

    /**
     * Fills an empty mailbox with `count` threads spread over `spanDays`, deterministic for a seed. A thread holds one
     * message with probability `singleMessageShare` (DEFAULT_SINGLE_MESSAGE_SHARE), else 2 to 6; at the default the
     * seed draws exactly the mailbox it always drew.
     */
    generate(count: number, spanDays = 730, singleMessageShare = DEFAULT_SINGLE_MESSAGE_SHARE): void {
        const random = new Random(this.seed);
        const now = this.clock.now();
        interface Draft {
            thread: number;
            position: number;
            at: number;
            fromOwner: boolean;
            seed: number;
            labels: string[];
        }
        const drafts: Draft[] = [];
        const threadSeeds: number[] = [];
        for (let t = 0; t < count; t += 1) {
            const threadSeed = random.int(1, 2 ** 30 - 1);
            threadSeeds.push(threadSeed);
            const size = random.chance(singleMessageShare) ? 1 : random.int(2, 6);
            let at = now - Math.floor(random.next() * spanDays * DAY) - 60_000;
            const startsWithOwner = random.chance(0.25);
            const folder = random.next();
            const userLabel = random.chance(0.2) ? `Label_${random.int(1, 5)}` : undefined;
            const category = random.pick(['CATEGORY_PERSONAL', 'CATEGORY_UPDATES', 'CATEGORY_PROMOTIONS', 'CATEGORY_SOCIAL']);
            for (let p = 0; p < size; p += 1) {
                if (p > 0) at = Math.min(now - 60_000, at + random.int(10 * 60_000, 3 * DAY));
                const fromOwner = (p % 2 === 0) === startsWithOwner;
                const labels: string[] = [];
                if (folder < 0.01) labels.push('SPAM');
                else if (folder < 0.03) labels.push('TRASH');
                else if (fromOwner) labels.push('SENT');
                else {
                    if (folder > 0.3) labels.push('INBOX');
                    if (now - at < 30 * DAY && random.chance(0.5)) labels.push('UNREAD');
                    if (random.chance(0.2)) labels.push('IMPORTANT');
                    labels.push(category);
                }
                if (random.chance(0.04)) labels.push('STARRED');
                if (userLabel && folder >= 0.03) labels.push(userLabel);
                drafts.push({ thread: t, position: p, at, fromOwner, seed: random.int(0, 2 ** 30 - 1), labels });
            }
        }
        // Ids and history ids follow time, as Gmail's do.
        drafts.sort((a, b) => a.at - b.at || a.thread - b.thread || a.position - b.position);
        const byThread = new Map<number, StoredThread>();
        let historyId = 1000 + random.int(0, 5000);
        for (const draft of drafts) {
            historyId += random.int(1, 4);
            const id = this.nextId(draft.at);
            let thread = byThread.get(draft.thread);
            if (!thread) {
                thread = { id, seed: threadSeeds[draft.thread]!, historyId, messages: [] };
                byThread.set(draft.thread, thread);
                this.threads.set(id, thread);
            }
            const previous = thread.messages[thread.messages.length - 1];
            const message: StoredMessage = {
                id,
                threadId: thread.id,
                historyId,
                internalDate: draft.at,
                labelIds: this.labels.intern(draft.labels),
                seed: draft.seed,
                position: draft.position,
                fromOwner: draft.fromOwner,
                root: previous ? thread.id : undefined,
                parent: previous?.id
            };
            thread.messages.push(message);
            thread.historyId = historyId;
            this.messages.set(id, message);
        }
        this.historyId = historyId;
        this.horizon = historyId;
        this.touch();
    }

    // ---- reading -------------------------------------------------------------------------------------------

    /** The message's MIME tree, rebuilt from its seeds (generated) or parsed (sent); `shaped: false` leaves out its shape (shapes.ts). */
    tree(message: StoredMessage, shaped = true): MimeNode {
        if (message.raw !== undefined) return parseMime(message.raw);
        const thread = this.threads.get(message.threadId);
        return generateMessage(
            {
                owner: this.owner,
                people: this.people,
                threadSeed: thread?.seed ?? 0,
                messageSeed: message.seed,
                gmailId: message.id,
                position: message.position,
                root: message.root,
                parent: message.parent,
                fromOwner: message.fromOwner,
                internalDate: message.internalDate
            },
            shaped
        );
    }

    rfcMessageId(message: StoredMessage): string {
        return message.rfcMessageId ?? generatedMessageId(message.id);
    }

    /** Threads newest first (by their latest message), as threads.list orders them. */
    orderedThreads(): StoredThread[] {
        if (!this.threadOrder) {
            this.threadOrder = [...this.threads.values()].sort((a, b) => compareThreads(a, b));
        }
        return this.threadOrder;
    }

    orderedMessages(): StoredMessage[] {
        if (!this.messageOrder) {
            this.messageOrder = [...this.messages.values()].sort((a, b) => b.internalDate - a.internalDate || (a.id < b.id ? 1 : -1));
        }
        return this.messageOrder;
    }

    /** Drops history older than the retention window; the horizon follows. */
    pruneHistory(): void {
        const cutoff = this.clock.now() - this.historyRetentionMs;
        let drop = 0;
        while (drop < this.history.length && this.history[drop]!.at < cutoff) drop += 1;
        if (drop === 0) return;
        this.horizon = Math.max(this.horizon, this.history[drop - 1]!.id);
        this.history = this.history.slice(drop);
    }

    /** Every startHistoryId older than now answers 404, as after a long disconnection. */
    expireHistory(): void {
        this.horizon = this.historyId;
        this.history = [];
    }

    /** A thread is visible to a sync while one of its messages is outside SPAM and TRASH. */
    isVisible(thread: StoredThread): boolean {
        return thread.messages.some((m) => !m.labelIds.includes('SPAM') && !m.labelIds.includes('TRASH'));
    }

    // ---- changing ------------------------------------------------------------------------------------------

    nextId(at: number): string {
        for (;;) {
            this.idCounter += 1;
            // One flat string (a template would leave a rope per id: ~40 bytes more on each of 300k messages).
            const id = ((BigInt(Math.max(0, Math.floor(at))) << 20n) | BigInt(this.idCounter & 0xfffff)).toString(16).padStart(16, '0');
            if (!this.messages.has(id) && !this.threads.has(id)) return id;
        }
    }

    private record(type: HistoryType, message: StoredMessage, changed?: readonly string[]): number {
        this.historyId += 1 + (this.idCounter % 3);
        const id = this.historyId;
        this.history.push({
            id,
            at: this.clock.now(),
            type,
            messageId: message.id,
            threadId: message.threadId,
            labelIds: message.labelIds,
            changed
        });
        this.watch.recorded(id, message.labelIds, changed);
        return id;
    }

    private touch(): void {
        this.version += 1;
        this.threadOrder = null;
        this.messageOrder = null;
    }

    /** Adds a message to a thread (a new thread when `threadId` is absent) and records messageAdded. */
    insert(
        message: Omit<StoredMessage, 'id' | 'threadId' | 'historyId'> & { threadId?: string | undefined; seedForThread?: number }
    ): StoredMessage {
        const id = this.nextId(message.internalDate);
        let thread = message.threadId ? this.threads.get(message.threadId) : undefined;
        if (!thread) {
            thread = { id, seed: message.seedForThread ?? message.seed, historyId: 0, messages: [] };
            this.threads.set(id, thread);
        }
        const { seedForThread: _unused, ...fields } = message;
        const stored: StoredMessage = { ...fields, id, threadId: thread.id, historyId: 0 };
        thread.messages.push(stored);
        thread.messages.sort((a, b) => a.internalDate - b.internalDate);
        this.messages.set(id, stored);
        stored.historyId = this.record('messageAdded', stored);
        thread.historyId = stored.historyId;
        this.touch();
        return stored;
    }

    /** A generated message from someone else (or the owner) into a thread, or a new thread. */
    addGenerated(options: { threadId?: string; fromOwner?: boolean; at?: number; labelIds?: string[]; random: Random }): StoredMessage {
        const at = options.at ?? this.clock.now();
        const thread = options.threadId ? this.threads.get(options.threadId) : undefined;
        const last = thread?.messages[thread.messages.length - 1];
        const fromOwner = options.fromOwner ?? false;
        const labels = options.labelIds ?? (fromOwner ? ['SENT'] : ['INBOX', 'UNREAD', 'CATEGORY_PERSONAL']);
        return this.insert({
            threadId: thread?.id,
            internalDate: Math.max(at, (last?.internalDate ?? 0) + 1000),
            labelIds: this.labels.intern(labels),
            seed: options.random.int(0, 2 ** 30 - 1),
            seedForThread: options.random.int(1, 2 ** 30 - 1),
            position: thread ? thread.messages.length : 0,
            fromOwner,
            root: thread?.id,
            parent: last?.id
        });
    }

    /** Adds and removes labels on one message; one history record per direction that changed something. */
    modifyLabels(messageId: string, add: readonly string[], remove: readonly string[]): StoredMessage | undefined {
        const message = this.messages.get(messageId);
        if (!message) return undefined;
        const thread = this.threads.get(message.threadId)!;
        const added = add.filter((label) => !message.labelIds.includes(label));
        const removed = remove.filter((label) => message.labelIds.includes(label) && !add.includes(label));
        if (added.length > 0) {
            message.labelIds = this.labels.intern([...message.labelIds, ...added]);
            message.historyId = this.record('labelAdded', message, added);
            thread.historyId = message.historyId;
        }
        if (removed.length > 0) {
            message.labelIds = this.labels.intern(message.labelIds.filter((label) => !removed.includes(label)));
            message.historyId = this.record('labelRemoved', message, removed);
            thread.historyId = message.historyId;
        }
        if (added.length > 0 || removed.length > 0) this.touch();
        return message;
    }

    trashMessage(messageId: string): StoredMessage | undefined {
        return this.modifyLabels(messageId, ['TRASH'], ['INBOX', 'SPAM']);
    }

    untrashMessage(messageId: string): StoredMessage | undefined {
        return this.modifyLabels(messageId, [], ['TRASH']);
    }

    /** Permanent deletion; a thread left without messages is gone. */
    deleteMessage(messageId: string): boolean {
        const message = this.messages.get(messageId);
        if (!message) return false;
        const thread = this.threads.get(message.threadId)!;
        this.messages.delete(messageId);
        thread.messages = thread.messages.filter((m) => m.id !== messageId);
        thread.historyId = this.record('messageDeleted', message);
        if (thread.messages.length === 0) this.threads.delete(thread.id);
        this.touch();
        return true;
    }

    deleteThread(threadId: string): boolean {
        const thread = this.threads.get(threadId);
        if (!thread) return false;
        for (const message of [...thread.messages]) this.deleteMessage(message.id);
        return true;
    }
}

export function threadLatest(thread: StoredThread): number {
    return thread.messages[thread.messages.length - 1]?.internalDate ?? 0;
}

/** Newest first; ties by id, newest id first. */
export function compareThreads(a: StoredThread, b: StoredThread): number {
    return threadLatest(b) - threadLatest(a) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}
