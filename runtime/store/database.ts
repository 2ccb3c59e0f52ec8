import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

/**
 * The one SQLite database of a local installation: records, checkpoints, connections, delete windows and a
 * key-value table, so one file holds everything.
 */
export function openDatabase(path: string): DatabaseSync {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const db = new DatabaseSync(path);
    db.exec(`
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
    return db;
}

export function transaction(db: DatabaseSync, work: () => void): void {
    db.exec('BEGIN');
    try {
        work();
        db.exec('COMMIT');
    } catch (err) {
        db.exec('ROLLBACK');
        throw err;
    }
}

/**
 * One counter for every modification and every sighting of a record: cursors and delete tracking both order by it.
 * It continues above everything stored, open delete windows' marks included, when a file is reopened.
 */
export class Sequence {
    private value: number;

    constructor(db: DatabaseSync) {
        const row = db
            .prepare(
                'SELECT MAX(COALESCE((SELECT MAX(MAX(seq), MAX(seen_seq)) FROM records), 0), COALESCE((SELECT MAX(mark) FROM delete_windows), 0)) AS s'
            )
            .get() as { s: number | null } | undefined;
        this.value = row?.s ?? 0;
    }

    next(): number {
        return ++this.value;
    }
}
