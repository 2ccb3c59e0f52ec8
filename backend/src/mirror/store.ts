/**
 * What the mirror needs from the product's database. Every write of a page goes through `transaction`, so the
 * records, the hook deliveries they cause and the cursor that says they were read commit together or not at all.
 */

export interface MirrorKey {
    connectionId: string;
    model: string;
}

/** Where reading stopped. A full pass (resync) keeps its own cursor until it ends, then becomes `cursor`. */
export interface CursorState {
    cursor: string | null;
    passId: string | null;
    passCursor: string | null;
}

export interface StoredRow {
    id: string;
    /** The record as Nango returned it, without `_nango_metadata`; for a deleted record, its last known state. */
    data: Record<string, unknown> | null;
    /** Nango's `_nango_metadata.last_modified_at`, normalised (see timestamps.ts) so that strings compare in order. */
    lastModifiedAt: string;
    deleted: boolean;
    /** The full pass that last saw the record in Nango's cache. */
    seenPass: string | null;
}

export type ChangeAction = 'added' | 'updated' | 'deleted';

/** What an `onRecord` hook receives. `changeId` is the same on every delivery of the same change. */
export interface RecordChange {
    changeId: string;
    connectionId: string;
    model: string;
    recordId: string;
    action: ChangeAction;
    /** The new state; for `deleted`, the last state the mirror held. */
    record: Record<string, unknown> | null;
    lastModifiedAt: string;
}

export interface Delivery {
    seq: number;
    hook: string;
    change: RecordChange;
    attempts: number;
}

export interface DeadLetter extends Delivery {
    lastError: string;
    parkedAt: number;
}

export interface MirrorTx {
    cursorState(key: MirrorKey): Promise<CursorState>;
    setCursorState(key: MirrorKey, state: CursorState): Promise<void>;
    getRow(key: MirrorKey, id: string): Promise<StoredRow | undefined>;
    putRow(key: MirrorKey, row: StoredRow): Promise<void>;
    /** Live rows not seen by the given pass. */
    liveRowsUnseenBy(key: MirrorKey, passId: string): Promise<StoredRow[]>;
    /** Queues one delivery per hook; a change already queued for a hook is not queued again. */
    enqueue(hooks: readonly string[], change: RecordChange, dueAt: number): Promise<void>;
}

export interface MirrorStore {
    transaction<T>(work: (tx: MirrorTx) => Promise<T>): Promise<T>;
    cursorState(key: MirrorKey): Promise<CursorState>;
    /** The live records of a model, by id. */
    records(key: MirrorKey): Promise<Record<string, unknown>[]>;
    dueDeliveries(now: number, limit: number): Promise<Delivery[]>;
    nextDueAt(): Promise<number | null>;
    delivered(seq: number): Promise<void>;
    retryLater(seq: number, attempts: number, dueAt: number, error: string): Promise<void>;
    park(seq: number, attempts: number, error: string, now: number): Promise<void>;
    deadLetters(): Promise<DeadLetter[]>;
    close(): Promise<void>;
}
