/** The mirror's tables in SQLite (`node:sqlite`), the default database. */
import { resolve } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { CursorState, DeadLetter, Delivery, MirrorKey, MirrorStore, MirrorTx, RecordChange, StoredRow } from './store.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS mirror_records (
    connection_id TEXT NOT NULL, model TEXT NOT NULL, id TEXT NOT NULL,
    data TEXT, last_modified_at TEXT NOT NULL, deleted INTEGER NOT NULL, seen_pass TEXT,
    PRIMARY KEY (connection_id, model, id)
);
CREATE TABLE IF NOT EXISTS mirror_cursors (
    connection_id TEXT NOT NULL, model TEXT NOT NULL, cursor TEXT, pass_id TEXT, pass_cursor TEXT,
    PRIMARY KEY (connection_id, model)
);
CREATE TABLE IF NOT EXISTS mirror_outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, hook TEXT NOT NULL, change_id TEXT NOT NULL, change TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0, due_at INTEGER NOT NULL, last_error TEXT,
    UNIQUE (hook, change_id)
);
CREATE TABLE IF NOT EXISTS mirror_dead_letters (
    seq INTEGER PRIMARY KEY, hook TEXT NOT NULL, change_id TEXT NOT NULL, change TEXT NOT NULL,
    attempts INTEGER NOT NULL, last_error TEXT NOT NULL, parked_at INTEGER NOT NULL
);
`;

interface RowRecord {
    id: string;
    data: string | null;
    last_modified_at: string;
    deleted: number;
    seen_pass: string | null;
}

interface OutboxRecord {
    seq: number;
    hook: string;
    change: string;
    attempts: number;
}

function toRow(row: RowRecord): StoredRow {
    return {
        id: row.id,
        data: row.data === null ? null : (JSON.parse(row.data) as Record<string, unknown>),
        lastModifiedAt: row.last_modified_at,
        deleted: row.deleted === 1,
        seenPass: row.seen_pass
    };
}

/**
 * One transaction at a time per database file in this process. The work inside a transaction awaits between
 * statements, so two connections of one process would interleave there, and the second BEGIN would block the only
 * thread until busy_timeout while the first cannot finish. Other processes wait on SQLite's own lock.
 */
const queues = new Map<string, Promise<unknown>>();

export class SqliteMirrorStore implements MirrorStore {
    readonly db: DatabaseSync;
    private readonly queueKey: string;

    constructor(readonly path = ':memory:') {
        this.db = new DatabaseSync(path);
        this.queueKey = path === ':memory:' ? `:memory:${Math.random()}` : resolve(path);
        // Another process may hold the write lock for a moment; wait for it rather than fail.
        this.db.exec('PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000;');
        this.db.exec(SCHEMA);
    }

    transaction<T>(work: (tx: MirrorTx) => Promise<T>): Promise<T> {
        const run = (queues.get(this.queueKey) ?? Promise.resolve()).then(async () => {
            this.db.exec('BEGIN IMMEDIATE');
            try {
                const result = await work(this.tx);
                this.db.exec('COMMIT');
                return result;
            } catch (error) {
                this.db.exec('ROLLBACK');
                throw error;
            }
        });
        queues.set(
            this.queueKey,
            run.catch(() => undefined)
        );
        return run;
    }

    private readonly tx: MirrorTx = {
        cursorState: (key) => this.cursorState(key),
        setCursorState: async (key, state) => {
            this.db
                .prepare(
                    `INSERT INTO mirror_cursors (connection_id, model, cursor, pass_id, pass_cursor) VALUES (?, ?, ?, ?, ?)
                     ON CONFLICT (connection_id, model) DO UPDATE SET cursor = excluded.cursor, pass_id = excluded.pass_id, pass_cursor = excluded.pass_cursor`
                )
                .run(key.connectionId, key.model, state.cursor, state.passId, state.passCursor);
        },
        getRow: async (key, id) => {
            const row = this.db
                .prepare(
                    'SELECT id, data, last_modified_at, deleted, seen_pass FROM mirror_records WHERE connection_id = ? AND model = ? AND id = ?'
                )
                .get(key.connectionId, key.model, id) as RowRecord | undefined;
            return row ? toRow(row) : undefined;
        },
        putRow: async (key, row) => {
            this.db
                .prepare(
                    `INSERT INTO mirror_records (connection_id, model, id, data, last_modified_at, deleted, seen_pass) VALUES (?, ?, ?, ?, ?, ?, ?)
                     ON CONFLICT (connection_id, model, id) DO UPDATE SET data = excluded.data, last_modified_at = excluded.last_modified_at,
                     deleted = excluded.deleted, seen_pass = excluded.seen_pass`
                )
                .run(
                    key.connectionId,
                    key.model,
                    row.id,
                    row.data === null ? null : JSON.stringify(row.data),
                    row.lastModifiedAt,
                    row.deleted ? 1 : 0,
                    row.seenPass
                );
        },
        liveRowsUnseenBy: async (key, passId) => {
            const rows = this.db
                .prepare(
                    `SELECT id, data, last_modified_at, deleted, seen_pass FROM mirror_records
                     WHERE connection_id = ? AND model = ? AND deleted = 0 AND (seen_pass IS NULL OR seen_pass != ?) ORDER BY id`
                )
                .all(key.connectionId, key.model, passId) as unknown as RowRecord[];
            return rows.map(toRow);
        },
        enqueue: async (hooks, change, dueAt) => {
            const insert = this.db.prepare('INSERT OR IGNORE INTO mirror_outbox (hook, change_id, change, due_at) VALUES (?, ?, ?, ?)');
            for (const hook of hooks) {
                insert.run(hook, change.changeId, JSON.stringify(change), dueAt);
            }
        }
    };

    async cursorState(key: MirrorKey): Promise<CursorState> {
        const row = this.db
            .prepare('SELECT cursor, pass_id, pass_cursor FROM mirror_cursors WHERE connection_id = ? AND model = ?')
            .get(key.connectionId, key.model) as { cursor: string | null; pass_id: string | null; pass_cursor: string | null } | undefined;
        return { cursor: row?.cursor ?? null, passId: row?.pass_id ?? null, passCursor: row?.pass_cursor ?? null };
    }

    async records(key: MirrorKey): Promise<Record<string, unknown>[]> {
        const rows = this.db
            .prepare('SELECT data FROM mirror_records WHERE connection_id = ? AND model = ? AND deleted = 0 ORDER BY id')
            .all(key.connectionId, key.model) as unknown as { data: string }[];
        return rows.map((row) => JSON.parse(row.data) as Record<string, unknown>);
    }

    async dueDeliveries(now: number, limit: number): Promise<Delivery[]> {
        const rows = this.db
            .prepare('SELECT seq, hook, change, attempts FROM mirror_outbox WHERE due_at <= ? ORDER BY seq LIMIT ?')
            .all(now, limit) as unknown as OutboxRecord[];
        return rows.map((row) => ({
            seq: row.seq,
            hook: row.hook,
            attempts: row.attempts,
            change: JSON.parse(row.change) as RecordChange
        }));
    }

    async nextDueAt(): Promise<number | null> {
        const row = this.db.prepare('SELECT MIN(due_at) AS due FROM mirror_outbox').get() as { due: number | null } | undefined;
        return row?.due ?? null;
    }

    // Every write goes through transaction(), so that it waits its turn behind the other connections of the process.
    async delivered(seq: number): Promise<void> {
        await this.transaction(async () => {
            this.db.prepare('DELETE FROM mirror_outbox WHERE seq = ?').run(seq);
        });
    }

    async retryLater(seq: number, attempts: number, dueAt: number, error: string): Promise<void> {
        await this.transaction(async () => {
            this.db
                .prepare('UPDATE mirror_outbox SET attempts = ?, due_at = ?, last_error = ? WHERE seq = ?')
                .run(attempts, dueAt, error, seq);
        });
    }

    async park(seq: number, attempts: number, error: string, now: number): Promise<void> {
        await this.transaction(async () => {
            this.db
                .prepare(
                    `INSERT INTO mirror_dead_letters (seq, hook, change_id, change, attempts, last_error, parked_at)
                     SELECT seq, hook, change_id, change, ?, ?, ? FROM mirror_outbox WHERE seq = ?`
                )
                .run(attempts, error, now, seq);
            this.db.prepare('DELETE FROM mirror_outbox WHERE seq = ?').run(seq);
        });
    }

    async deadLetters(): Promise<DeadLetter[]> {
        const rows = this.db
            .prepare('SELECT seq, hook, change, attempts, last_error, parked_at FROM mirror_dead_letters ORDER BY seq')
            .all() as unknown as (OutboxRecord & { last_error: string; parked_at: number })[];
        return rows.map((row) => ({
            seq: row.seq,
            hook: row.hook,
            attempts: row.attempts,
            change: JSON.parse(row.change) as RecordChange,
            lastError: row.last_error,
            parkedAt: row.parked_at
        }));
    }

    async close(): Promise<void> {
        await queues.get(this.queueKey);
        this.db.close();
    }
}
