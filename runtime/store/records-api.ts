import type { DatabaseSync } from 'node:sqlite';
import { RECORD_COLUMNS, type CachedRecord, type ConnectionRef, type LastAction, type RecordRow } from './types.js';

/** GET /records as Nango's records API answers it: pages in modification order, opaque cursors, filters. */

export interface ListRecordsQuery extends ConnectionRef {
    model: string;
    cursor?: string | undefined;
    /** Default 100, at most 10000, as the records API. */
    limit?: number | undefined;
    /** ISO 8601: records modified at or after this time. */
    modifiedAfter?: string | undefined;
    /** Comma-separated last actions to keep, e.g. `'added,updated'`. */
    filter?: string | undefined;
}

export interface ListRecordsResult {
    records: CachedRecord[];
    next_cursor: string | null;
}

export class InvalidRecordsQueryError extends Error {
    constructor(
        readonly code: 'invalid_cursor_value' | 'invalid_limit' | 'invalid_timestamp' | 'invalid_filter',
        detail: string
    ) {
        super(`${code}: ${detail}`);
        this.name = 'InvalidRecordsQueryError';
    }
}

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 10_000;
const ACTIONS: readonly LastAction[] = ['ADDED', 'UPDATED', 'DELETED'];

/** Ordered by modification, `next_cursor` null on the last page. */
export function listRecords(db: DatabaseSync, query: ListRecordsQuery): ListRecordsResult {
    const limit = query.limit ?? DEFAULT_LIMIT;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
        throw new InvalidRecordsQueryError('invalid_limit', `limit must be an integer from 1 to ${MAX_LIMIT}, got ${limit}`);
    }
    const clauses = ['integration = ?', 'connection_id = ?', 'model = ?'];
    const params: (string | number)[] = [query.integration, query.connectionId, query.model];
    if (query.cursor !== undefined) {
        clauses.push('seq > ?');
        params.push(decodeCursor(query.cursor));
    }
    if (query.modifiedAfter !== undefined) {
        const time = Date.parse(query.modifiedAfter);
        if (Number.isNaN(time))
            throw new InvalidRecordsQueryError('invalid_timestamp', `modifiedAfter is not a date: ${query.modifiedAfter}`);
        clauses.push('last_modified_at >= ?');
        params.push(time);
    }
    if (query.filter !== undefined) {
        const actions = parseFilter(query.filter);
        clauses.push(`last_action IN (${actions.map(() => '?').join(', ')})`);
        params.push(...actions);
    }
    params.push(limit + 1);
    const rows = db
        .prepare(`SELECT ${RECORD_COLUMNS} FROM records WHERE ${clauses.join(' AND ')} ORDER BY seq LIMIT ?`)
        .all(...params) as unknown as RecordRow[];
    const hasMore = rows.length > limit;
    const page = hasMore ? rows.slice(0, limit) : rows;
    const last = page[page.length - 1];
    return { records: page.map(toCachedRecord), next_cursor: hasMore && last ? encodeCursor(last.seq) : null };
}

/** A stored row as the records API shows it: the data with `id` and `_nango_metadata`. */
export function toCachedRecord(row: RecordRow): CachedRecord {
    const record = JSON.parse(row.data) as CachedRecord;
    record.id = row.id;
    record._nango_metadata = {
        first_seen_at: new Date(row.first_seen_at).toISOString(),
        last_modified_at: new Date(row.last_modified_at).toISOString(),
        last_action: row.last_action,
        deleted_at: row.deleted_at === null ? null : new Date(row.deleted_at).toISOString(),
        pruned_at: null,
        cursor: encodeCursor(row.seq)
    };
    return record;
}

function encodeCursor(seq: number): string {
    return Buffer.from(`seq:${seq}`).toString('base64url');
}

function decodeCursor(cursor: string): number {
    const match = /^seq:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!match?.[1]) throw new InvalidRecordsQueryError('invalid_cursor_value', `not a cursor of this store: ${cursor}`);
    return Number(match[1]);
}

function parseFilter(filter: string): LastAction[] {
    const actions = filter.split(',').map((part) => part.trim().toUpperCase());
    const invalid = actions.filter((a) => !ACTIONS.includes(a as LastAction));
    if (actions.length === 0 || invalid.length > 0) {
        throw new InvalidRecordsQueryError('invalid_filter', `filter takes added, updated, deleted separated by commas, got ${filter}`);
    }
    return actions as LastAction[];
}
