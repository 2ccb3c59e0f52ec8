/** The shapes the records store takes and returns; the same names as Nango's records API where it has them. */

export interface ConnectionRef {
    integration: string;
    connectionId: string;
}

export type LastAction = 'ADDED' | 'UPDATED' | 'DELETED';

/** `_nango_metadata` as Nango's GET /records returns it. */
export interface RecordMetadata {
    first_seen_at: string;
    last_modified_at: string;
    last_action: LastAction;
    deleted_at: string | null;
    /** Nango prunes payloads of records untouched for 30 days; nothing is pruned locally. */
    pruned_at: string | null;
    cursor: string;
}

export type CachedRecord = Record<string, unknown> & { id: string; _nango_metadata: RecordMetadata };

/** What one write did, by record id. Mirrors the summary Nango's persist service returns. */
export interface WriteSummary {
    added: string[];
    updated: string[];
    deleted: string[];
    unchanged: string[];
    /** With `notModifiedAfter`: the cursor (sequence) of the last record this write changed, if it changed any. */
    lastChanged?: number;
}

/** What `batchDelete` passes: the id, optionally `deletedAt`, and whatever else the script sent (kept as the data). */
export type DeletePayload = { id?: unknown; deletedAt?: unknown } & Record<string, unknown>;

export interface WriteOptions {
    /** Milliseconds since the epoch; the run's clock. Defaults to the wall clock. */
    now?: number | undefined;
    /**
     * Nango's `ignore_if_modified_after_cursor` merging: a stored record whose cursor lies past this one was changed
     * by another execution since (a webhook) and is left as it is. Null: no cursor yet, every write applies.
     */
    notModifiedAfter?: number | null | undefined;
}

/** A row of the `records` table. */
export interface RecordRow {
    id: string;
    data: string;
    hash: string;
    first_seen_at: number;
    last_modified_at: number;
    last_action: LastAction;
    deleted_at: number | null;
    seq: number;
}

export const RECORD_COLUMNS = 'id, data, hash, first_seen_at, last_modified_at, last_action, deleted_at, seq';
