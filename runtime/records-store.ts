import type { DatabaseSync } from 'node:sqlite';
import { ConnectionState, type StoredConnection } from './store/connection-state.js';
import { openDatabase, Sequence } from './store/database.js';
import { DeleteWindows } from './store/delete-windows.js';
import { KeyValues } from './store/key-values.js';
import { listRecords, type ListRecordsQuery, type ListRecordsResult } from './store/records-api.js';
import { RecordsTable } from './store/records-table.js';
import type { CachedRecord, ConnectionRef, DeletePayload, WriteOptions, WriteSummary } from './store/types.js';

/**
 * The local stand-in for Nango's records cache (packages/records in NangoHQ/nango) and the state beside it, in one
 * SQLite file so it holds a whole local installation. Each concern lives in its own file under store/:
 * records-table.ts (writes and reads with Nango's record semantics, record-rules.ts), delete-windows.ts (tracked
 * deletes), records-api.ts (GET /records: pages, cursors, filters), connection-state.ts (checkpoints, metadata,
 * config), key-values.ts (the runner's simulator state), database.ts (tables, transactions, the sequence).
 */

export { InvalidRecordsQueryError, type ListRecordsQuery, type ListRecordsResult } from './store/records-api.js';
export { deepMerge } from './store/record-rules.js';
export type { StoredConnection } from './store/connection-state.js';
export type { CachedRecord, ConnectionRef, DeletePayload, LastAction, RecordMetadata, WriteOptions, WriteSummary } from './store/types.js';

export class RecordsStore {
    readonly db: DatabaseSync;
    private readonly records: RecordsTable;
    private readonly windows: DeleteWindows;
    private readonly state: ConnectionState;
    private readonly kv: KeyValues;

    constructor(readonly path: string = ':memory:') {
        this.db = openDatabase(path);
        const seq = new Sequence(this.db);
        this.records = new RecordsTable(this.db, seq);
        this.windows = new DeleteWindows(this.db, seq);
        this.state = new ConnectionState(this.db);
        this.kv = new KeyValues(this.db);
    }

    close(): void {
        this.db.close();
    }

    // Records ------------------------------------------------------------------------------------------------

    saveRecords(conn: ConnectionRef, model: string, records: readonly Record<string, unknown>[], options: WriteOptions = {}): WriteSummary {
        return this.records.save(conn, model, records, options);
    }

    updateRecords(
        conn: ConnectionRef,
        model: string,
        partials: readonly Record<string, unknown>[],
        options: WriteOptions = {}
    ): WriteSummary {
        return this.records.update(conn, model, partials, options);
    }

    deleteRecords(conn: ConnectionRef, model: string, records: readonly DeletePayload[], options: WriteOptions = {}): WriteSummary {
        return this.records.delete(conn, model, records, options);
    }

    /** The cursor of the model's latest change, for the `ignore_if_modified_after` merging strategy. */
    lastRecordSeq(conn: ConnectionRef, model: string): number | null {
        return this.records.lastSeq(conn, model);
    }

    getRecordsByIds(conn: ConnectionRef, model: string, ids: readonly string[]): Map<string, CachedRecord> {
        return this.records.byIds(conn, model, ids);
    }

    liveRecords(conn: ConnectionRef, model: string): Record<string, unknown>[] {
        return this.records.live(conn, model);
    }

    allRecords(conn: ConnectionRef, model: string): CachedRecord[] {
        return this.records.all(conn, model);
    }

    countLive(conn: ConnectionRef, model: string): number {
        return this.records.countLive(conn, model);
    }

    listRecords(query: ListRecordsQuery): ListRecordsResult {
        return listRecords(this.db, query);
    }

    // Tracked deletes ----------------------------------------------------------------------------------------

    trackDeletesStart(): number {
        return this.windows.mark();
    }

    openDeleteWindow(conn: ConnectionRef, model: string): number {
        return this.windows.open(conn, model);
    }

    closeDeleteWindow(conn: ConnectionRef, model: string, options: WriteOptions = {}): string[] | undefined {
        return this.windows.close(conn, model, options);
    }

    deleteUnseenSince(conn: ConnectionRef, model: string, mark: number, options: WriteOptions = {}): string[] {
        return this.windows.deleteUnseenSince(conn, model, mark, options);
    }

    // Checkpoints, connection metadata and config, key-values ---------------------------------------------------

    getCheckpoint<T = Record<string, string | number | boolean>>(conn: ConnectionRef, syncName: string): T | null {
        return this.state.getCheckpoint<T>(conn, syncName);
    }

    saveCheckpoint(conn: ConnectionRef, syncName: string, checkpoint: unknown): void {
        this.state.saveCheckpoint(conn, syncName, checkpoint);
    }

    clearCheckpoint(conn: ConnectionRef, syncName: string): void {
        this.state.clearCheckpoint(conn, syncName);
    }

    getMetadata<T = Record<string, unknown>>(conn: ConnectionRef): T | null {
        return this.state.getMetadata<T>(conn);
    }

    setMetadata(conn: ConnectionRef, metadata: Record<string, unknown>): void {
        this.state.setMetadata(conn, metadata);
    }

    /** Shallow merge into the existing metadata, as Nango's PATCH /connection/metadata. */
    updateMetadata(conn: ConnectionRef, metadata: Record<string, unknown>): void {
        this.setMetadata(conn, { ...(this.getMetadata(conn) ?? {}), ...metadata });
    }

    /** The connections with metadata or config, every integration. */
    listConnections(): StoredConnection[] {
        return this.state.list();
    }

    getConnectionConfig(conn: ConnectionRef): Record<string, unknown> | null {
        return this.state.getConfig(conn);
    }

    setConnectionConfig(conn: ConnectionRef, config: Record<string, unknown>): void {
        this.state.setConfig(conn, config);
    }

    kvGet<T = unknown>(key: string): T | undefined {
        return this.kv.get<T>(key);
    }

    kvSet(key: string, value: unknown): void {
        this.kv.set(key, value);
    }

    kvDelete(key: string): void {
        this.kv.delete(key);
    }
}
