import { http, type HttpHandler } from 'msw';
import type { Clock } from '../../runtime/clock.js';
import { ApiCore } from '../common/core.js';
import { PushOutbox, type PushNotification } from '../common/push.js';
import { Random } from '../common/random.js';
import type { Simulator } from '../common/simulator.js';
import type { TruthRecord } from '../common/truth.js';
import { BATCH_PATH, serveBatch } from './batch.js';
import { gmailErrorFormat } from './errors.js';
import { GMAIL_HOST, serveRoute, type Route } from './router.js';
import { gmailRoutes } from './routes.js';
import { Mailbox, type HistoryRecord, type StoredMessage, type StoredThread } from './store.js';
import type { PubSubSetup, WatchSnapshot } from './watch.js';

export interface GmailSimulatorOptions {
    clock: Clock;
    seed?: number;
    /** Threads in the seeded mailbox (default 50). */
    threads?: number;
    emailAddress?: string;
    latencyMs?: number;
    /** Enforce Gmail's 15,000 units per user per minute (default true). */
    quota?: boolean;
    accessToken?: string;
    historyRetentionMs?: number;
    /** The Pub/Sub project and topics users.watch accepts (default: DEFAULT_PUBSUB of watch.ts). */
    pubsub?: PubSubSetup;
    /** Share of seeded threads with a single message (store.ts DEFAULT_SINGLE_MESSAGE_SHARE). */
    singleMessageShare?: number;
}

export interface GmailSnapshot {
    kind: 'gmail';
    seed: number;
    emailAddress: string;
    historyId: number;
    horizon: number;
    historyRetentionMs: number;
    activityCount: number;
    idCounter: number;
    threads: { id: string; seed: number; historyId: number; messages: StoredMessage[] }[];
    history: HistoryRecord[];
    /** Absent in snapshots taken before push was simulated. */
    watch?: WatchSnapshot;
    /** Pushes emitted and not yet taken: they wait for a `deliver` in a later invocation of the runner. */
    pushQueue?: PushNotification[];
}

const activityList = [
    { name: 'new-mail', description: 'Three new threads arrive and three existing threads get a reply (one of them from the owner).' },
    { name: 'label-changes', description: 'Six messages are starred, read, archived or given a user label.' },
    { name: 'delete-messages', description: 'Three messages are deleted for good, and two whole threads with them.' },
    { name: 'trash', description: 'Two threads are moved to the trash (gone for a sync that ignores SPAM/TRASH).' },
    { name: 'history-expiry', description: 'History before now is no longer kept: any stored startHistoryId answers 404.' }
];

/**
 * The Gmail API over an in-memory mailbox. Threads whose messages are all in SPAM or TRASH are not part of the
 * truth (threads.list leaves them out by default), matching a sync that lists without includeSpamTrash.
 */
export class GmailSimulator implements Simulator {
    readonly name = 'gmail';
    readonly core: ApiCore;
    readonly mailbox: Mailbox;
    readonly routes: Route[];
    readonly handlers: HttpHandler[];
    /** Pub/Sub pushes of the mailbox's watch, as Nango's webhook URL would receive them (watch.ts). */
    readonly push = new PushOutbox();
    private activityCount = 0;

    constructor(options: GmailSimulatorOptions, restoring?: GmailSnapshot) {
        this.core = new ApiCore({
            clock: options.clock,
            errors: gmailErrorFormat,
            ...(options.accessToken !== undefined ? { accessToken: options.accessToken } : {}),
            ...(options.latencyMs !== undefined ? { latencyMs: options.latencyMs } : {}),
            ...(options.quota === false ? {} : { limit: { capacity: 15_000, windowMs: 60_000 } })
        });
        this.mailbox = new Mailbox({
            clock: options.clock,
            seed: restoring?.seed ?? options.seed ?? 1,
            ...(options.emailAddress !== undefined ? { emailAddress: options.emailAddress } : {}),
            ...(options.historyRetentionMs !== undefined ? { historyRetentionMs: options.historyRetentionMs } : {}),
            ...(options.pubsub !== undefined ? { pubsub: options.pubsub } : {})
        });
        this.mailbox.watch.sink = this.push;
        if (restoring) this.load(restoring);
        else this.mailbox.generate(options.threads ?? 50, undefined, options.singleMessageShare);
        this.routes = gmailRoutes(this.mailbox);
        this.handlers = [
            ...this.routes.map((route) =>
                http[route.method.toLowerCase() as 'get' | 'post' | 'delete'](`${GMAIL_HOST}${route.path}`, ({ request, params }) =>
                    serveRoute(this.core, route, request, params as Record<string, string>)
                )
            ),
            // https://developers.google.com/gmail/api/guides/batch
            http.post(`${GMAIL_HOST}${BATCH_PATH}`, ({ request }) => serveBatch(this.core, this.routes, request))
        ];
    }

    static restore(snapshot: unknown, options: Omit<GmailSimulatorOptions, 'seed' | 'threads'>): GmailSimulator {
        const data = snapshot as GmailSnapshot;
        if (data?.kind !== 'gmail') throw new Error('not a Gmail simulator snapshot');
        return new GmailSimulator({ ...options, emailAddress: data.emailAddress, historyRetentionMs: data.historyRetentionMs }, data);
    }

    get emailAddress(): string {
        return this.mailbox.owner.address;
    }

    get historyId(): number {
        return this.mailbox.historyId;
    }

    // ---- Simulator ------------------------------------------------------------------------------------------

    activities(): { name: string; description: string }[] {
        return activityList.map((activity) => ({ ...activity }));
    }

    applyActivity(name: string): string {
        const random = new Random((this.mailbox.seed * 7919 + ++this.activityCount) >>> 0);
        switch (name) {
            case 'new-mail':
                return this.newMail(random);
            case 'label-changes':
                return this.labelChanges(random);
            case 'delete-messages':
                return this.deleteMessages(random);
            case 'trash':
                return this.trash(random);
            case 'history-expiry':
                this.expireHistory();
                return `history expired: start ids below ${this.mailbox.horizon} answer 404`;
            default:
                throw new Error(`unknown Gmail activity "${name}" (known: ${activityList.map((a) => a.name).join(', ')})`);
        }
    }

    truth(model: string): TruthRecord[] {
        if (model !== 'GmailThread') throw new Error(`the Gmail simulator has no truth for model ${model}`);
        const records: TruthRecord[] = [];
        for (const thread of this.mailbox.threads.values()) {
            if (this.mailbox.isVisible(thread)) records.push({ id: thread.id, version: String(thread.historyId) });
        }
        return records;
    }

    versionOf(model: string, record: Record<string, unknown>): string {
        if (model !== 'GmailThread') throw new Error(`the Gmail simulator has no versions for model ${model}`);
        return String(record['historyId']);
    }

    snapshot(): GmailSnapshot {
        const m = this.mailbox;
        return JSON.parse(
            JSON.stringify({
                kind: 'gmail',
                seed: m.seed,
                emailAddress: m.owner.address,
                historyId: m.historyId,
                horizon: m.horizon,
                historyRetentionMs: m.historyRetentionMs,
                activityCount: this.activityCount,
                idCounter: m.idCounter,
                threads: [...m.threads.values()].map((t) => ({ id: t.id, seed: t.seed, historyId: t.historyId, messages: t.messages })),
                history: m.history,
                watch: m.watch.snapshot(),
                pushQueue: [...this.push.peek()]
            } satisfies GmailSnapshot)
        ) as GmailSnapshot;
    }

    // ---- direct changes, for tests and activities ----------------------------------------------------------

    /** A new thread of `messages` generated messages (the first from someone else); returns it. */
    addThread(options: { messages?: number; labelIds?: string[]; at?: number } = {}): StoredThread {
        const random = new Random((this.mailbox.seed ^ 0xadd) + ++this.activityCount);
        const first = this.mailbox.addGenerated({
            random,
            ...(options.labelIds ? { labelIds: options.labelIds } : {}),
            ...(options.at !== undefined ? { at: options.at } : {})
        });
        for (let i = 1; i < (options.messages ?? 1); i += 1)
            this.mailbox.addGenerated({ random, threadId: first.threadId, fromOwner: i % 2 === 1 });
        return this.mailbox.threads.get(first.threadId)!;
    }

    /** A reply into an existing thread. */
    reply(threadId: string, options: { fromOwner?: boolean } = {}): StoredMessage {
        if (!this.mailbox.threads.has(threadId)) throw new Error(`no thread ${threadId}`);
        const random = new Random((this.mailbox.seed ^ 0x4e9) + ++this.activityCount);
        return this.mailbox.addGenerated({ random, threadId, fromOwner: options.fromOwner ?? false });
    }

    modifyLabels(messageId: string, add: string[], remove: string[]): void {
        if (!this.mailbox.modifyLabels(messageId, add, remove)) throw new Error(`no message ${messageId}`);
    }

    deleteMessage(messageId: string): void {
        if (!this.mailbox.deleteMessage(messageId)) throw new Error(`no message ${messageId}`);
    }

    deleteThread(threadId: string): void {
        if (!this.mailbox.deleteThread(threadId)) throw new Error(`no thread ${threadId}`);
    }

    trashThread(threadId: string): void {
        const thread = this.mailbox.threads.get(threadId);
        if (!thread) throw new Error(`no thread ${threadId}`);
        for (const message of [...thread.messages]) this.mailbox.trashMessage(message.id);
    }

    expireHistory(): void {
        this.mailbox.expireHistory();
    }

    thread(threadId: string): StoredThread | undefined {
        return this.mailbox.threads.get(threadId);
    }

    // ---- activities ------------------------------------------------------------------------------------------

    private pickThreads(random: Random, count: number, filter: (thread: StoredThread) => boolean = () => true): StoredThread[] {
        const candidates = [...this.mailbox.threads.values()].filter((t) => this.mailbox.isVisible(t) && filter(t));
        const picked = new Set<StoredThread>();
        while (picked.size < Math.min(count, candidates.length)) picked.add(random.pick(candidates));
        return [...picked];
    }

    private newMail(random: Random): string {
        for (let i = 0; i < 3; i += 1) this.mailbox.addGenerated({ random });
        const replied = this.pickThreads(random, 3);
        replied.forEach((thread, i) => this.mailbox.addGenerated({ random, threadId: thread.id, fromOwner: i === 0 }));
        return `3 new threads, replies in ${replied.map((t) => t.id).join(', ')}`;
    }

    private labelChanges(random: Random): string {
        const changes: string[] = [];
        for (const thread of this.pickThreads(random, 6)) {
            const message = random.pick(thread.messages);
            const change = random.int(0, 3);
            if (change === 0) this.mailbox.modifyLabels(message.id, ['STARRED'], []);
            else if (change === 1) this.mailbox.modifyLabels(message.id, [], ['UNREAD']);
            else if (change === 2) this.mailbox.modifyLabels(message.id, [], ['INBOX']);
            else this.mailbox.modifyLabels(message.id, [`Label_${random.int(1, 5)}`], []);
            changes.push(`${message.id} (${['starred', 'read', 'archived', 'labelled'][change]})`);
        }
        return `labels changed on ${changes.join(', ')}`;
    }

    private deleteMessages(random: Random): string {
        const partial = this.pickThreads(random, 3, (t) => t.messages.length > 1);
        for (const thread of partial) this.mailbox.deleteMessage(random.pick(thread.messages).id);
        const whole = this.pickThreads(random, 2);
        for (const thread of whole) this.mailbox.deleteThread(thread.id);
        return `deleted a message in ${partial.map((t) => t.id).join(', ')}; deleted threads ${whole.map((t) => t.id).join(', ')}`;
    }

    private trash(random: Random): string {
        const threads = this.pickThreads(random, 2);
        for (const thread of threads) this.trashThread(thread.id);
        return `trashed threads ${threads.map((t) => t.id).join(', ')}`;
    }

    private load(snapshot: GmailSnapshot): void {
        const m = this.mailbox;
        for (const saved of snapshot.threads) {
            const thread: StoredThread = { id: saved.id, seed: saved.seed, historyId: saved.historyId, messages: [] };
            for (const message of saved.messages) {
                const stored: StoredMessage = { ...message, labelIds: m.labels.intern(message.labelIds) };
                thread.messages.push(stored);
                m.messages.set(stored.id, stored);
            }
            m.threads.set(thread.id, thread);
        }
        m.history = snapshot.history.map((record) => ({ ...record, labelIds: m.labels.intern(record.labelIds) }));
        m.historyId = snapshot.historyId;
        m.horizon = snapshot.horizon;
        this.activityCount = snapshot.activityCount;
        m.idCounter = snapshot.idCounter;
        if (snapshot.watch) m.watch.load(snapshot.watch);
        for (const notification of snapshot.pushQueue ?? []) this.push.emit(notification);
        m.version += 1;
    }
}
