import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

/**
 * The local stand-in for Nango's records cache (packages/records in NangoHQ/nango): records are upserted by
 * (connection, model, id), changes are detected by a hash of the record so a re-save of the same data is not an
 * update, deletions are soft, and every modification gets a cursor so a consumer polling with its last cursor sees
 * every later change, in order. Checkpoints, connection metadata, connection config and a small key-value table
 * (simulator state for the runner) live in the same database so one file holds a whole local installation.
 */

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

/** What one write did, by record id. Mirrors the summary Nango's persist service returns. */
export interface WriteSummary {
    added: string[];
    updated: string[];
    deleted: string[];
    unchanged: string[];
}

/** What `batchDelete` passes: the id, optionally `deletedAt`, and whatever else the script sent (kept as the data). */
export type DeletePayload = { id?: unknown; deletedAt?: unknown } & Record<string, unknown>;

export interface WriteOptions {
    /** Milliseconds since the epoch; the run's clock. Defaults to the wall clock. */
    now?: number | undefined;
}

interface RecordRow {
    id: string;
    data: string;
    hash: string;
    first_seen_at: number;
    last_modified_at: number;
    last_action: LastAction;
    deleted_at: number | null;
    seq: number;
}

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 10_000;
const ACTIONS: readonly LastAction[] = ['ADDED', 'UPDATED', 'DELETED'];

export class InvalidRecordsQueryError extends Error {
    constructor(
        readonly code: 'invalid_cursor_value' | 'invalid_limit' | 'invalid_timestamp' | 'invalid_filter',
        detail: string
    ) {
        super(`${code}: ${detail}`);
        this.name = 'InvalidRecordsQueryError';
    }
}

export class RecordsStore {
    readonly db: DatabaseSync;
    /** One counter for every modification and every sighting: cursors and delete tracking both order by it. */
    private seq: number;
    private readonly stmts: ReturnType<RecordsStore['prepare']>;

    constructor(readonly path: string = ':memory:') {
        if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
        this.db = new DatabaseSync(path);
        this.db.exec(`
            PRAGMA journal_mode = WAL;
            -- A local cache: losing the last writes on power loss is acceptable, a killed process loses nothing.
            PRAGMA synchronous = OFF;
            PRAGMA cache_size = -65536;
            CREATE TABLE IF NOT EXISTS records (
                integration TEXT NOT NULL,
                connection_id TEXT NOT NULL,
                model TEXT NOT NULL,
                id TEXT NOT NULL,
                data TEXT NOT NULL,
                hash TEXT NOT NULL,
                first_seen_at INTEGER NOT NULL,
                last_modified_at INTEGER NOT NULL,
                last_action TEXT NOT NULL,
                deleted_at INTEGER,
                seq INTEGER NOT NULL,
                seen_seq INTEGER NOT NULL,
                PRIMARY KEY (integration, connection_id, model, id)
            );
            CREATE INDEX IF NOT EXISTS records_by_seq ON records (integration, connection_id, model, seq);
            CREATE TABLE IF NOT EXISTS checkpoints (
                integration TEXT NOT NULL, connection_id TEXT NOT NULL, sync_name TEXT NOT NULL, value TEXT NOT NULL,
                PRIMARY KEY (integration, connection_id, sync_name)
            );
            CREATE TABLE IF NOT EXISTS connections (
                integration TEXT NOT NULL, connection_id TEXT NOT NULL, metadata TEXT, config TEXT,
                PRIMARY KEY (integration, connection_id)
            );
            CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS delete_windows (
                integration TEXT NOT NULL, connection_id TEXT NOT NULL, model TEXT NOT NULL, mark INTEGER NOT NULL,
                PRIMARY KEY (integration, connection_id, model)
            );
        `);
        // Open delete windows hold marks too: a reopened store must number later writes above them.
        const row = this.db
            .prepare(
                'SELECT MAX(COALESCE((SELECT MAX(MAX(seq), MAX(seen_seq)) FROM records), 0), COALESCE((SELECT MAX(mark) FROM delete_windows), 0)) AS s'
            )
            .get() as { s: number | null } | undefined;
        this.seq = row?.s ?? 0;
        this.stmts = this.prepare();
    }

    private prepare() {
        const db = this.db;
        return {
            getRow: db.prepare(
                'SELECT id, data, hash, first_seen_at, last_modified_at, last_action, deleted_at, seq FROM records WHERE integration = ? AND connection_id = ? AND model = ? AND id = ?'
            ),
            getState: db.prepare(
                'SELECT hash, deleted_at FROM records WHERE integration = ? AND connection_id = ? AND model = ? AND id = ?'
            ),
            insert: db.prepare(
                `INSERT INTO records (integration, connection_id, model, id, data, hash, first_seen_at, last_modified_at, last_action, deleted_at, seq, seen_seq)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
            ),
            update: db.prepare(
                `UPDATE records SET data = ?, hash = ?, last_modified_at = ?, last_action = ?, deleted_at = ?, seq = ?, seen_seq = ?
                 WHERE integration = ? AND connection_id = ? AND model = ? AND id = ?`
            ),
            markDeleted: db.prepare(
                `UPDATE records SET last_modified_at = ?, last_action = 'DELETED', deleted_at = ?, seq = ?, seen_seq = ?
                 WHERE integration = ? AND connection_id = ? AND model = ? AND id = ?`
            ),
            touch: db.prepare('UPDATE records SET seen_seq = ? WHERE integration = ? AND connection_id = ? AND model = ? AND id = ?'),
            unseen: db.prepare(
                'SELECT id FROM records WHERE integration = ? AND connection_id = ? AND model = ? AND deleted_at IS NULL AND seen_seq <= ? ORDER BY seq'
            ),
            live: db.prepare(
                'SELECT data FROM records WHERE integration = ? AND connection_id = ? AND model = ? AND deleted_at IS NULL ORDER BY seq'
            ),
            all: db.prepare(
                'SELECT id, data, hash, first_seen_at, last_modified_at, last_action, deleted_at, seq FROM records WHERE integration = ? AND connection_id = ? AND model = ? ORDER BY seq'
            ),
            count: db.prepare(
                'SELECT COUNT(*) AS n FROM records WHERE integration = ? AND connection_id = ? AND model = ? AND deleted_at IS NULL'
            ),
            getCheckpoint: db.prepare('SELECT value FROM checkpoints WHERE integration = ? AND connection_id = ? AND sync_name = ?'),
            saveCheckpoint: db.prepare(
                `INSERT INTO checkpoints (integration, connection_id, sync_name, value) VALUES (?, ?, ?, ?)
                 ON CONFLICT (integration, connection_id, sync_name) DO UPDATE SET value = excluded.value`
            ),
            clearCheckpoint: db.prepare('DELETE FROM checkpoints WHERE integration = ? AND connection_id = ? AND sync_name = ?'),
            getConnection: db.prepare('SELECT metadata, config FROM connections WHERE integration = ? AND connection_id = ?'),
            setMetadata: db.prepare(
                `INSERT INTO connections (integration, connection_id, metadata) VALUES (?, ?, ?)
                 ON CONFLICT (integration, connection_id) DO UPDATE SET metadata = excluded.metadata`
            ),
            setConfig: db.prepare(
                `INSERT INTO connections (integration, connection_id, config) VALUES (?, ?, ?)
                 ON CONFLICT (integration, connection_id) DO UPDATE SET config = excluded.config`
            ),
            kvGet: db.prepare('SELECT value FROM kv WHERE key = ?'),
            kvSet: db.prepare('INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
            kvDelete: db.prepare('DELETE FROM kv WHERE key = ?'),
            getWindow: db.prepare('SELECT mark FROM delete_windows WHERE integration = ? AND connection_id = ? AND model = ?'),
            openWindow: db.prepare('INSERT INTO delete_windows (integration, connection_id, model, mark) VALUES (?, ?, ?, ?)'),
            closeWindow: db.prepare('DELETE FROM delete_windows WHERE integration = ? AND connection_id = ? AND model = ?')
        };
    }

    close(): void {
        this.db.close();
    }

    // -----------------------------------------------------------------------------------------------------------
    // Records
    // -----------------------------------------------------------------------------------------------------------

    /**
     * Upserts full records. A record whose hash is unchanged is left alone (not an update, its cursor does not
     * move); a previously deleted record comes back (counted as added, listed as UPDATED, as in Nango).
     */
    saveRecords(conn: ConnectionRef, model: string, records: readonly Record<string, unknown>[], options: WriteOptions = {}): WriteSummary {
        const now = options.now ?? Date.now();
        const summary = emptySummary();
        this.transaction(() => {
            for (const record of dedupeById(records)) {
                const id = recordId(record);
                const data = JSON.stringify(record);
                const hash = hashOf(data);
                const existing = this.getState(conn, model, id);
                const seq = ++this.seq;
                if (!existing) {
                    this.stmts.insert.run(conn.integration, conn.connectionId, model, id, data, hash, now, now, 'ADDED', null, seq, seq);
                    summary.added.push(id);
                } else if (existing.deleted_at !== null) {
                    this.writeRow(conn, model, id, { data, hash, now, action: 'UPDATED', deletedAt: null, seq });
                    summary.added.push(id);
                } else if (existing.hash !== hash) {
                    this.writeRow(conn, model, id, { data, hash, now, action: 'UPDATED', deletedAt: null, seq });
                    summary.updated.push(id);
                } else {
                    this.stmts.touch.run(seq, conn.integration, conn.connectionId, model, id);
                    summary.unchanged.push(id);
                }
            }
        });
        return summary;
    }

    /**
     * Merges partial records into the stored ones, the way Nango's `batchUpdate` does (records.update): objects
     * merge recursively, arrays element by element, other values are replaced; every matched record is rewritten
     * and counted as updated, even when nothing changed, and a deleted record stays deleted. Unknown ids are ignored.
     */
    updateRecords(
        conn: ConnectionRef,
        model: string,
        partials: readonly Record<string, unknown>[],
        options: WriteOptions = {}
    ): WriteSummary {
        const now = options.now ?? Date.now();
        const summary = emptySummary();
        this.transaction(() => {
            for (const partial of dedupeById(partials)) {
                const id = recordId(partial);
                const existing = this.getRow(conn, model, id);
                if (!existing) continue;
                const data = JSON.stringify(deepMerge(JSON.parse(existing.data) as unknown, partial));
                const deleted = existing.deleted_at !== null;
                const seq = ++this.seq;
                this.writeRow(conn, model, id, {
                    data,
                    hash: hashOf(data),
                    now,
                    action: deleted ? 'DELETED' : 'UPDATED',
                    deletedAt: existing.deleted_at,
                    seq
                });
                summary.updated.push(id);
            }
        });
        return summary;
    }

    /**
     * Soft-deletes, as Nango's persist service does with `batchDelete`: the stored data becomes the payload given
     * (usually just `{ id }`), `deletedAt` in it sets the deletion time, and the record moves to the end of the
     * cursor order even when it was already deleted (counted only the first time). An id never seen leaves a
     * tombstone, listed as DELETED and not counted.
     */
    deleteRecords(conn: ConnectionRef, model: string, records: readonly DeletePayload[], options: WriteOptions = {}): WriteSummary {
        const now = options.now ?? Date.now();
        const summary = emptySummary();
        this.transaction(() => {
            for (const record of dedupeById(records)) {
                const id = recordId(record);
                const data = JSON.stringify(record);
                const hash = hashOf(data);
                const deletedAt = deletionTime(record, now);
                const existing = this.getState(conn, model, id);
                const seq = ++this.seq;
                if (!existing) {
                    this.stmts.insert.run(
                        conn.integration,
                        conn.connectionId,
                        model,
                        id,
                        data,
                        hash,
                        now,
                        now,
                        'DELETED',
                        deletedAt,
                        seq,
                        seq
                    );
                } else {
                    this.writeRow(conn, model, id, { data, hash, now, action: 'DELETED', deletedAt, seq });
                    (existing.deleted_at === null ? summary.deleted : summary.unchanged).push(id);
                }
            }
        });
        return summary;
    }

    /** A mark for `deleteUnseenSince`: records saved after this call count as seen. */
    trackDeletesStart(): number {
        return ++this.seq;
    }

    /**
     * Opens the delete-tracking window of a model, or keeps the one already open: as in Nango, the window of a
     * full crawl spans executions (a run cut at 15 minutes resumes from its checkpoint, calls trackDeletesStart
     * again, and the records the earlier execution saved still count as seen).
     */
    openDeleteWindow(conn: ConnectionRef, model: string): number {
        const open = this.stmts.getWindow.get(conn.integration, conn.connectionId, model) as { mark: number } | undefined;
        if (open) return open.mark;
        const mark = this.trackDeletesStart();
        this.stmts.openWindow.run(conn.integration, conn.connectionId, model, mark);
        return mark;
    }

    /** Closes the model's window and soft-deletes what no save touched since it opened; undefined if none was open. */
    closeDeleteWindow(conn: ConnectionRef, model: string, options: WriteOptions = {}): string[] | undefined {
        const open = this.stmts.getWindow.get(conn.integration, conn.connectionId, model) as { mark: number } | undefined;
        if (!open) return undefined;
        const deleted = this.deleteUnseenSince(conn, model, open.mark, options);
        this.stmts.closeWindow.run(conn.integration, conn.connectionId, model);
        return deleted;
    }

    /** Soft-deletes the live records of a model that no save or update touched since `mark`. */
    deleteUnseenSince(conn: ConnectionRef, model: string, mark: number, options: WriteOptions = {}): string[] {
        const now = options.now ?? Date.now();
        const ids = (this.stmts.unseen.all(conn.integration, conn.connectionId, model, mark) as { id: string }[]).map((r) => r.id);
        this.transaction(() => {
            for (const id of ids) {
                const seq = ++this.seq;
                this.stmts.markDeleted.run(now, now, seq, seq, conn.integration, conn.connectionId, model, id);
            }
        });
        return ids;
    }

    getRecordsByIds(conn: ConnectionRef, model: string, ids: readonly string[]): Map<string, CachedRecord> {
        const found = new Map<string, CachedRecord>();
        for (const id of ids) {
            const row = this.getRow(conn, model, String(id));
            if (row) found.set(String(id), toCachedRecord(row));
        }
        return found;
    }

    /** Live (not deleted) records of a model, without metadata, in modification order. */
    liveRecords(conn: ConnectionRef, model: string): Record<string, unknown>[] {
        return (this.stmts.live.all(conn.integration, conn.connectionId, model) as { data: string }[]).map(
            (r) => JSON.parse(r.data) as Record<string, unknown>
        );
    }

    /** Every record of a model, deleted ones included, with `_nango_metadata`, in modification order. */
    allRecords(conn: ConnectionRef, model: string): CachedRecord[] {
        return (this.stmts.all.all(conn.integration, conn.connectionId, model) as unknown as RecordRow[]).map(toCachedRecord);
    }

    countLive(conn: ConnectionRef, model: string): number {
        return (this.stmts.count.get(conn.integration, conn.connectionId, model) as { n: number }).n;
    }

    /** GET /records: ordered by modification, `next_cursor` null on the last page. */
    listRecords(query: ListRecordsQuery): ListRecordsResult {
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
        const rows = this.db
            .prepare(
                `SELECT id, data, hash, first_seen_at, last_modified_at, last_action, deleted_at, seq FROM records
                 WHERE ${clauses.join(' AND ')} ORDER BY seq LIMIT ?`
            )
            .all(...params) as unknown as RecordRow[];
        const hasMore = rows.length > limit;
        const page = hasMore ? rows.slice(0, limit) : rows;
        const last = page[page.length - 1];
        return { records: page.map(toCachedRecord), next_cursor: hasMore && last ? encodeCursor(last.seq) : null };
    }

    // -----------------------------------------------------------------------------------------------------------
    // Checkpoints, connection metadata and config, key-value
    // -----------------------------------------------------------------------------------------------------------

    getCheckpoint<T = Record<string, string | number | boolean>>(conn: ConnectionRef, syncName: string): T | null {
        const row = this.stmts.getCheckpoint.get(conn.integration, conn.connectionId, syncName) as { value: string } | undefined;
        return row ? (JSON.parse(row.value) as T) : null;
    }

    saveCheckpoint(conn: ConnectionRef, syncName: string, checkpoint: unknown): void {
        this.stmts.saveCheckpoint.run(conn.integration, conn.connectionId, syncName, JSON.stringify(checkpoint));
    }

    clearCheckpoint(conn: ConnectionRef, syncName: string): void {
        this.stmts.clearCheckpoint.run(conn.integration, conn.connectionId, syncName);
    }

    getMetadata<T = Record<string, unknown>>(conn: ConnectionRef): T | null {
        const row = this.stmts.getConnection.get(conn.integration, conn.connectionId) as { metadata: string | null } | undefined;
        return row?.metadata ? (JSON.parse(row.metadata) as T) : null;
    }

    setMetadata(conn: ConnectionRef, metadata: Record<string, unknown>): void {
        this.stmts.setMetadata.run(conn.integration, conn.connectionId, JSON.stringify(metadata));
    }

    /** Shallow merge into the existing metadata, as Nango's PATCH /connection/metadata. */
    updateMetadata(conn: ConnectionRef, metadata: Record<string, unknown>): void {
        this.setMetadata(conn, { ...(this.getMetadata(conn) ?? {}), ...metadata });
    }

    getConnectionConfig(conn: ConnectionRef): Record<string, unknown> | null {
        const row = this.stmts.getConnection.get(conn.integration, conn.connectionId) as { config: string | null } | undefined;
        return row?.config ? (JSON.parse(row.config) as Record<string, unknown>) : null;
    }

    setConnectionConfig(conn: ConnectionRef, config: Record<string, unknown>): void {
        this.stmts.setConfig.run(conn.integration, conn.connectionId, JSON.stringify(config));
    }

    kvGet<T = unknown>(key: string): T | undefined {
        const row = this.stmts.kvGet.get(key) as { value: string } | undefined;
        return row ? (JSON.parse(row.value) as T) : undefined;
    }

    kvSet(key: string, value: unknown): void {
        this.stmts.kvSet.run(key, JSON.stringify(value));
    }

    kvDelete(key: string): void {
        this.stmts.kvDelete.run(key);
    }

    // -----------------------------------------------------------------------------------------------------------

    private getState(conn: ConnectionRef, model: string, id: string): { hash: string; deleted_at: number | null } | undefined {
        return this.stmts.getState.get(conn.integration, conn.connectionId, model, id) as
            { hash: string; deleted_at: number | null } | undefined;
    }

    private getRow(conn: ConnectionRef, model: string, id: string): RecordRow | undefined {
        return this.stmts.getRow.get(conn.integration, conn.connectionId, model, id) as RecordRow | undefined;
    }

    private writeRow(
        conn: ConnectionRef,
        model: string,
        id: string,
        row: { data: string; hash: string; now: number; action: LastAction; deletedAt: number | null; seq: number }
    ): void {
        this.stmts.update.run(
            row.data,
            row.hash,
            row.now,
            row.action,
            row.deletedAt,
            row.seq,
            row.seq,
            conn.integration,
            conn.connectionId,
            model,
            id
        );
    }

    private transaction(work: () => void): void {
        this.db.exec('BEGIN');
        try {
            work();
            this.db.exec('COMMIT');
        } catch (err) {
            this.db.exec('ROLLBACK');
            throw err;
        }
    }
}

function emptySummary(): WriteSummary {
    return { added: [], updated: [], deleted: [], unchanged: [] };
}

/** Nango's formatRecords: a falsy id is refused; the id is kept as a string without NUL characters. */
function recordId(record: { id?: unknown }): string {
    if (!record.id) throw new Error(`Missing id field in record: ${JSON.stringify(record).slice(0, 200)}`);
    return String(record.id).replaceAll('\x00', '');
}

function deletionTime(record: { id?: unknown; deletedAt?: unknown }, now: number): number {
    const at = typeof record.deletedAt === 'string' || typeof record.deletedAt === 'number' ? new Date(record.deletedAt).getTime() : NaN;
    return Number.isNaN(at) ? now : at;
}

/** Nango keeps the first record of each id within a batch and ignores the others. */
function dedupeById<T extends { id?: unknown }>(records: readonly T[]): T[] {
    const seen = new Set<string>();
    return records.filter((record) => {
        const id = recordId(record);
        if (seen.has(id)) return false;
        seen.add(id);
        return true;
    });
}

/** md5 of the JSON text, as Nango's data_hash. */
function hashOf(data: string): string {
    return createHash('md5').update(data).digest('hex');
}

function toCachedRecord(row: RecordRow): CachedRecord {
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

function isPlainObject(value: unknown): value is Record<string, unknown> {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Objects merge key by key, arrays index by index (as Nango's deepMergeRecordData), anything else is replaced. */
export function deepMerge(target: unknown, source: unknown): unknown {
    if (Array.isArray(target) && Array.isArray(source)) {
        const length = Math.max(target.length, source.length);
        return Array.from({ length }, (_, i) => (i < source.length ? deepMerge(target[i], source[i]) : target[i]));
    }
    if (isPlainObject(target) && isPlainObject(source)) {
        const merged: Record<string, unknown> = { ...target };
        for (const [key, value] of Object.entries(source)) {
            merged[key] = key in target ? deepMerge(target[key], value) : value;
        }
        return merged;
    }
    return source;
}
