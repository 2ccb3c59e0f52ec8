/**
 * The mirror: keeps the product's copy of Nango's cache, one (connection, model) at a time.
 *
 * A sync webhook is only a nudge: its counts say nothing about which records changed. The mirror reads the records
 * changed since the cursor it keeps (Nango's `_nango_metadata.cursor` of the last record applied; `next_cursor` is
 * null on the last page, so it cannot serve), and writes each page, the hook deliveries it causes and the new cursor
 * in ONE transaction. So a duplicate, late or out-of-order webhook reads from wherever the mirror is and finds
 * nothing or only newer changes; a crash before the commit leaves the page unread; a crash after it leaves the
 * deliveries queued. Changes are applied by state: a record identical to the mirror's copy, or older than it, changes
 * nothing and notifies nobody, which also makes a full resync (Nango re-saving everything) silent.
 *
 * A full resync may also have emptied Nango's cache, so records that are gone never come back as deleted; a sync
 * webhook with `syncType: 'INITIAL'` (how Nango reports a full run, NangoHQ/nango packages/webhooks/lib/sync.ts)
 * therefore starts a full pass: read everything, then delete what the pass did not see.
 *
 * Hooks are delivered at least once (a crash between a hook's success and its bookkeeping repeats it, with the same
 * `changeId`); a hook that keeps failing is retried with exponential backoff, then parked in the dead-letter table,
 * and the mirror goes on.
 */
import { randomUUID } from 'node:crypto';
import { modelEntry, type ModelName } from '../catalog.js';
import type { ListRecordsOptions, NangoService, RecordsPage } from '../nango-service.js';
import type { NangoWebhook } from '../webhooks/schemas.js';
import type { ChangeAction, CursorState, DeadLetter, MirrorKey, MirrorStore, MirrorTx, RecordChange } from './store.js';
import { normaliseTimestamp } from './timestamps.js';

export type RecordHook = (change: RecordChange) => Promise<void> | void;

/** Test seam: called at each step boundary; throwing there is a crash at that point. */
export type CrashPoint = 'page-read' | 'records-written' | 'page-committed' | 'hook-ran';

export interface MirrorOptions {
    /** What the mirror reads Nango's cache with (a NangoService, or anything that lists records like it). */
    nango: Pick<NangoService, 'listRecords' | 'integrationOf'>;
    store: MirrorStore;
    pageSize?: number | undefined;
    retry?: { maxAttempts?: number | undefined; baseDelayMs?: number | undefined; maxDelayMs?: number | undefined } | undefined;
    clock?: { now(): number } | undefined;
    /** How a later delivery attempt is scheduled (default: an unref'd setTimeout). */
    schedule?: ((delayMs: number, run: () => void) => void) | undefined;
    /** Where a failure of background work goes (default: stderr). */
    onError?: ((error: unknown) => void) | undefined;
    crashAt?: ((point: CrashPoint) => void) | undefined;
}

export interface SyncSummary {
    pages: number;
    added: number;
    updated: number;
    deleted: number;
}

interface NangoMeta {
    last_modified_at: string;
    last_action: string;
    pruned_at: string | null;
    cursor: string;
}

/** JSON with sorted keys: Nango stores payloads as jsonb, which does not keep key order. */
function canonical(value: unknown): string {
    return JSON.stringify(value, (_key, v: unknown) =>
        v && typeof v === 'object' && !Array.isArray(v)
            ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
            : v
    );
}

export class Mirror {
    private readonly hooks = new Map<string, RecordHook>();
    private readonly locks = new Map<string, Promise<unknown>>();
    private readonly pageSize: number;
    private readonly maxAttempts: number;
    private readonly baseDelayMs: number;
    private readonly maxDelayMs: number;
    private readonly clock: { now(): number };
    private readonly schedule: (delayMs: number, run: () => void) => void;
    private readonly onError: (error: unknown) => void;
    private delivering: Promise<number> | null = null;
    private deliverAgain = false;

    constructor(private readonly options: MirrorOptions) {
        this.pageSize = options.pageSize ?? 100;
        this.maxAttempts = options.retry?.maxAttempts ?? 6;
        this.baseDelayMs = options.retry?.baseDelayMs ?? 1_000;
        this.maxDelayMs = options.retry?.maxDelayMs ?? 5 * 60_000;
        this.clock = options.clock ?? Date;
        this.schedule = options.schedule ?? ((delay, run) => setTimeout(run, delay).unref());
        this.onError = options.onError ?? ((error) => process.stderr.write(`mirror: ${String(error)}\n`));
    }

    /** Registers a hook under a stable name (its queued deliveries are kept under that name across restarts). */
    onRecord(name: string, hook: RecordHook): void {
        this.hooks.set(name, hook);
    }

    /**
     * The work for a webhook: sync webhooks of our models move the mirror; everything else is not its business.
     * A failed run has still saved the batches it got to, so it is read too (incrementally: a failed full run says
     * nothing about what the cache lacks).
     */
    async handleWebhook(webhook: NangoWebhook): Promise<SyncSummary | undefined> {
        if (webhook.type !== 'sync') {
            return undefined;
        }
        const entry = modelEntry(webhook.model);
        if (!entry || this.options.nango.integrationOf(webhook.providerConfigKey) !== entry.integration) {
            return undefined;
        }
        const model = webhook.model as ModelName;
        return webhook.success && webhook.syncType === 'INITIAL'
            ? this.resync(webhook.connectionId, model)
            : this.sync(webhook.connectionId, model);
    }

    /** Applies what changed since the cursor (or goes on with a full pass that was cut). */
    sync(connectionId: string, model: ModelName): Promise<SyncSummary> {
        return this.exclusive({ connectionId, model }, () => this.run({ connectionId, model }));
    }

    /** A full pass: reads the whole model, then deletes what Nango's cache no longer holds. */
    resync(connectionId: string, model: ModelName): Promise<SyncSummary> {
        const key = { connectionId, model };
        return this.exclusive(key, async () => {
            await this.options.store.transaction(async (tx) => {
                const state = await tx.cursorState(key);
                await tx.setCursorState(key, { ...state, passId: randomUUID(), passCursor: null });
            });
            return this.run(key);
        });
    }

    records(connectionId: string, model: ModelName): Promise<Record<string, unknown>[]> {
        return this.options.store.records({ connectionId, model });
    }

    deadLetters(): Promise<DeadLetter[]> {
        return this.options.store.deadLetters();
    }

    /** Delivers every due hook delivery once; answers how many succeeded. Also the place to resume after a restart. */
    deliverDue(): Promise<number> {
        if (this.delivering) {
            // The running round may have looked already: it goes round once more for what was queued since.
            this.deliverAgain = true;
            return this.delivering;
        }
        this.delivering = (async () => {
            let succeeded = 0;
            do {
                this.deliverAgain = false;
                succeeded += await this.deliverRound();
            } while (this.deliverAgain);
            return succeeded;
        })().finally(() => {
            this.delivering = null;
        });
        return this.delivering;
    }

    private async exclusive<T>(key: MirrorKey, work: () => Promise<T>): Promise<T> {
        const id = `${key.connectionId}\u0000${key.model}`;
        const previous = this.locks.get(id) ?? Promise.resolve();
        const next = previous.then(work, work);
        const settled = next.catch(() => undefined);
        this.locks.set(id, settled);
        void settled.then(() => {
            if (this.locks.get(id) === settled) this.locks.delete(id);
        });
        return next;
    }

    private async run(key: MirrorKey): Promise<SyncSummary> {
        const summary: SyncSummary = { pages: 0, added: 0, updated: 0, deleted: 0 };
        for (;;) {
            const state = await this.options.store.cursorState(key);
            const from = state.passId ? state.passCursor : state.cursor;
            const request: ListRecordsOptions = { connectionId: key.connectionId, limit: this.pageSize, ...(from ? { cursor: from } : {}) };
            const page = (await this.options.nango.listRecords(key.model as ModelName, request)) as RecordsPage<ModelName>;
            this.options.crashAt?.('page-read');
            const written = await this.options.store.transaction(async (tx) => {
                const now = await tx.cursorState(key);
                // Another worker moved this key since we read the cursor: its write wins, we read again.
                if (now.cursor !== state.cursor || now.passId !== state.passId || now.passCursor !== state.passCursor) {
                    return undefined;
                }
                const counts = await this.applyPage(tx, key, state, page);
                this.options.crashAt?.('records-written');
                const last = page.records.at(-1)?._nango_metadata.cursor ?? from;
                const done = page.next_cursor === null;
                const next: CursorState = state.passId
                    ? done
                        ? { cursor: last, passId: null, passCursor: null }
                        : { ...state, passCursor: last }
                    : { ...state, cursor: last };
                if (state.passId && done) {
                    counts.deleted += await this.sweep(tx, key, state.passId);
                }
                await tx.setCursorState(key, next);
                return { counts, done };
            });
            if (!written) {
                continue;
            }
            this.options.crashAt?.('page-committed');
            summary.pages += 1;
            summary.added += written.counts.added;
            summary.updated += written.counts.updated;
            summary.deleted += written.counts.deleted;
            await this.deliverDue();
            if (written.done) {
                return summary;
            }
        }
    }

    private async applyPage(
        tx: MirrorTx,
        key: MirrorKey,
        state: CursorState,
        page: RecordsPage<ModelName>
    ): Promise<Omit<SyncSummary, 'pages'>> {
        const counts = { added: 0, updated: 0, deleted: 0 };
        for (const record of page.records) {
            const meta = record._nango_metadata as NangoMeta;
            const id = String(record.id);
            const lastModifiedAt = normaliseTimestamp(meta.last_modified_at);
            const row = await tx.getRow(key, id);
            const seenPass = state.passId ?? row?.seenPass ?? null;
            if ((row && row.lastModifiedAt > lastModifiedAt) || meta.pruned_at !== null) {
                // An older version than the mirror's, or a payload Nango pruned: only note that the pass saw it.
                if (row && state.passId) await tx.putRow(key, { ...row, seenPass });
                continue;
            }
            const { _nango_metadata: _meta, ...data } = record as unknown as Record<string, unknown>;
            let action: ChangeAction | undefined;
            if (meta.last_action.toUpperCase() === 'DELETED') {
                action = row && !row.deleted ? 'deleted' : undefined;
                await tx.putRow(key, { id, data: row?.data ?? data, lastModifiedAt, deleted: true, seenPass });
            } else {
                action = !row || row.deleted ? 'added' : canonical(row.data) !== canonical(data) ? 'updated' : undefined;
                await tx.putRow(key, { id, data, lastModifiedAt, deleted: false, seenPass });
            }
            if (action) {
                counts[action] += 1;
                const change = this.change(key, id, action, action === 'deleted' ? (row?.data ?? null) : data, lastModifiedAt, meta.cursor);
                await tx.enqueue([...this.hooks.keys()], change, this.clock.now());
            }
        }
        return counts;
    }

    /** The end of a full pass: what Nango's cache held before and the pass did not see is gone. */
    private async sweep(tx: MirrorTx, key: MirrorKey, passId: string): Promise<number> {
        const gone = await tx.liveRowsUnseenBy(key, passId);
        for (const row of gone) {
            await tx.putRow(key, { ...row, deleted: true });
            await tx.enqueue(
                [...this.hooks.keys()],
                this.change(key, row.id, 'deleted', row.data, row.lastModifiedAt, `pass:${passId}`),
                this.clock.now()
            );
        }
        return gone.length;
    }

    private change(
        key: MirrorKey,
        recordId: string,
        action: ChangeAction,
        record: Record<string, unknown> | null,
        lastModifiedAt: string,
        version: string
    ) {
        return {
            changeId: `${key.connectionId}/${key.model}/${recordId}/${action}/${version}`,
            connectionId: key.connectionId,
            model: key.model,
            recordId,
            action,
            record,
            lastModifiedAt
        };
    }

    private async deliverRound(): Promise<number> {
        const { store } = this.options;
        let succeeded = 0;
        const now = this.clock.now();
        for (;;) {
            const due = await store.dueDeliveries(now, 100);
            const runnable = due.filter((d) => this.hooks.has(d.hook));
            if (runnable.length === 0) break;
            for (const delivery of runnable) {
                const hook = this.hooks.get(delivery.hook)!;
                try {
                    await hook(delivery.change);
                    this.options.crashAt?.('hook-ran');
                    await store.delivered(delivery.seq);
                    succeeded += 1;
                } catch (error) {
                    if (error instanceof MirrorCrash) throw error;
                    const attempts = delivery.attempts + 1;
                    const message = error instanceof Error ? error.message : String(error);
                    if (attempts >= this.maxAttempts) {
                        await store.park(delivery.seq, attempts, message, now);
                    } else {
                        const delay = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (attempts - 1));
                        await store.retryLater(delivery.seq, attempts, now + delay, message);
                    }
                }
            }
            if (runnable.length < due.length) break;
        }
        const next = await store.nextDueAt();
        if (next !== null && next > now) {
            this.schedule(next - now, () => void this.deliverDue().catch(this.onError));
        }
        return succeeded;
    }
}

/** What a test's crashAt throws: a crash is not a hook failure, it ends the process's work. */
export class MirrorCrash extends Error {
    constructor(readonly point: CrashPoint) {
        super(`crash at ${point}`);
        this.name = 'MirrorCrash';
    }
}
