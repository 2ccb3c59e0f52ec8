/**
 * The mirror's tables in Postgres, through `pg` (the product passes its pool, or a DATABASE_URL). Writers of one
 * (connection, model) are serialised by a row lock on its cursor (`SELECT ... FOR UPDATE`), so several processes
 * can share the database: the one that reads a moved cursor rolls back and reads again.
 */
import type { CursorState, DeadLetter, Delivery, MirrorKey, MirrorStore, MirrorTx, RecordChange, StoredRow } from './store.js';

/**
 * The part of a `pg` Pool the store uses, declared here so that the package's types do not need `@types/pg`
 * (a `pg.Pool` fits it).
 */
interface QueryResult<R> {
    rows: R[];
}
export interface PoolClient {
    query<R = Record<string, unknown>>(text: string, values?: unknown[]): Promise<QueryResult<R>>;
    release(): void;
}
export interface Pool {
    query<R = Record<string, unknown>>(text: string, values?: unknown[]): Promise<QueryResult<R>>;
    connect(): Promise<PoolClient>;
    end(): Promise<void>;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS mirror_records (
    connection_id TEXT NOT NULL, model TEXT NOT NULL, id TEXT NOT NULL,
    data JSONB, last_modified_at TEXT NOT NULL, deleted BOOLEAN NOT NULL, seen_pass TEXT,
    PRIMARY KEY (connection_id, model, id)
);
CREATE TABLE IF NOT EXISTS mirror_cursors (
    connection_id TEXT NOT NULL, model TEXT NOT NULL, cursor TEXT, pass_id TEXT, pass_cursor TEXT,
    PRIMARY KEY (connection_id, model)
);
CREATE TABLE IF NOT EXISTS mirror_outbox (
    seq BIGSERIAL PRIMARY KEY, hook TEXT NOT NULL, change_id TEXT NOT NULL, change JSONB NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0, due_at BIGINT NOT NULL, last_error TEXT,
    UNIQUE (hook, change_id)
);
CREATE TABLE IF NOT EXISTS mirror_dead_letters (
    seq BIGINT PRIMARY KEY, hook TEXT NOT NULL, change_id TEXT NOT NULL, change JSONB NOT NULL,
    attempts INTEGER NOT NULL, last_error TEXT NOT NULL, parked_at BIGINT NOT NULL
);
`;

interface RowRecord {
    id: string;
    data: Record<string, unknown> | null;
    last_modified_at: string;
    deleted: boolean;
    seen_pass: string | null;
}

interface OutboxRecord {
    seq: string;
    hook: string;
    change: RecordChange;
    attempts: number;
}

const toRow = (row: RowRecord): StoredRow => ({
    id: row.id,
    data: row.data,
    lastModifiedAt: row.last_modified_at,
    deleted: row.deleted,
    seenPass: row.seen_pass
});

/** A pool from DATABASE_URL; `pg` is loaded only by a product that uses Postgres. */
export async function postgresPool(databaseUrl: string, config: { max?: number } = {}): Promise<Pool> {
    const pg = await import('pg');
    return new pg.default.Pool({ ...config, connectionString: databaseUrl }) as unknown as Pool;
}

export class PostgresMirrorStore implements MirrorStore {
    private constructor(
        private readonly pool: Pool,
        private readonly endPoolOnClose: boolean
    ) {}

    /** Opens the store on a pool, creating the tables if needed; `close()` ends the pool unless told otherwise. */
    static async open(pool: Pool, options: { endPoolOnClose?: boolean } = {}): Promise<PostgresMirrorStore> {
        await pool.query(SCHEMA);
        return new PostgresMirrorStore(pool, options.endPoolOnClose ?? true);
    }

    async transaction<T>(work: (tx: MirrorTx) => Promise<T>): Promise<T> {
        const client = await this.pool.connect();
        try {
            await client.query('BEGIN');
            const result = await work(this.txOn(client));
            await client.query('COMMIT');
            return result;
        } catch (error) {
            await client.query('ROLLBACK');
            throw error;
        } finally {
            client.release();
        }
    }

    private txOn(client: PoolClient): MirrorTx {
        return {
            cursorState: async (key) => {
                await client.query('INSERT INTO mirror_cursors (connection_id, model) VALUES ($1, $2) ON CONFLICT DO NOTHING', [
                    key.connectionId,
                    key.model
                ]);
                const { rows } = await client.query<{ cursor: string | null; pass_id: string | null; pass_cursor: string | null }>(
                    'SELECT cursor, pass_id, pass_cursor FROM mirror_cursors WHERE connection_id = $1 AND model = $2 FOR UPDATE',
                    [key.connectionId, key.model]
                );
                return { cursor: rows[0]?.cursor ?? null, passId: rows[0]?.pass_id ?? null, passCursor: rows[0]?.pass_cursor ?? null };
            },
            setCursorState: async (key, state) => {
                await client.query(
                    `INSERT INTO mirror_cursors (connection_id, model, cursor, pass_id, pass_cursor) VALUES ($1, $2, $3, $4, $5)
                     ON CONFLICT (connection_id, model) DO UPDATE SET cursor = excluded.cursor, pass_id = excluded.pass_id, pass_cursor = excluded.pass_cursor`,
                    [key.connectionId, key.model, state.cursor, state.passId, state.passCursor]
                );
            },
            getRow: async (key, id) => {
                const { rows } = await client.query<RowRecord>(
                    'SELECT id, data, last_modified_at, deleted, seen_pass FROM mirror_records WHERE connection_id = $1 AND model = $2 AND id = $3',
                    [key.connectionId, key.model, id]
                );
                return rows[0] ? toRow(rows[0]) : undefined;
            },
            putRow: async (key, row) => {
                await client.query(
                    `INSERT INTO mirror_records (connection_id, model, id, data, last_modified_at, deleted, seen_pass) VALUES ($1, $2, $3, $4, $5, $6, $7)
                     ON CONFLICT (connection_id, model, id) DO UPDATE SET data = excluded.data, last_modified_at = excluded.last_modified_at,
                     deleted = excluded.deleted, seen_pass = excluded.seen_pass`,
                    [
                        key.connectionId,
                        key.model,
                        row.id,
                        row.data === null ? null : JSON.stringify(row.data),
                        row.lastModifiedAt,
                        row.deleted,
                        row.seenPass
                    ]
                );
            },
            liveRowsUnseenBy: async (key, passId) => {
                const { rows } = await client.query<RowRecord>(
                    `SELECT id, data, last_modified_at, deleted, seen_pass FROM mirror_records
                     WHERE connection_id = $1 AND model = $2 AND NOT deleted AND (seen_pass IS NULL OR seen_pass <> $3) ORDER BY id`,
                    [key.connectionId, key.model, passId]
                );
                return rows.map(toRow);
            },
            enqueue: async (hooks, change, dueAt) => {
                for (const hook of hooks) {
                    await client.query(
                        'INSERT INTO mirror_outbox (hook, change_id, change, due_at) VALUES ($1, $2, $3, $4) ON CONFLICT (hook, change_id) DO NOTHING',
                        [hook, change.changeId, JSON.stringify(change), dueAt]
                    );
                }
            }
        };
    }

    async cursorState(key: MirrorKey): Promise<CursorState> {
        const { rows } = await this.pool.query<{ cursor: string | null; pass_id: string | null; pass_cursor: string | null }>(
            'SELECT cursor, pass_id, pass_cursor FROM mirror_cursors WHERE connection_id = $1 AND model = $2',
            [key.connectionId, key.model]
        );
        return { cursor: rows[0]?.cursor ?? null, passId: rows[0]?.pass_id ?? null, passCursor: rows[0]?.pass_cursor ?? null };
    }

    async records(key: MirrorKey): Promise<Record<string, unknown>[]> {
        const { rows } = await this.pool.query<{ data: Record<string, unknown> }>(
            'SELECT data FROM mirror_records WHERE connection_id = $1 AND model = $2 AND NOT deleted ORDER BY id',
            [key.connectionId, key.model]
        );
        return rows.map((row) => row.data);
    }

    async dueDeliveries(now: number, limit: number): Promise<Delivery[]> {
        const { rows } = await this.pool.query<OutboxRecord>(
            'SELECT seq, hook, change, attempts FROM mirror_outbox WHERE due_at <= $1 ORDER BY seq LIMIT $2',
            [now, limit]
        );
        return rows.map((row) => ({ seq: Number(row.seq), hook: row.hook, attempts: row.attempts, change: row.change }));
    }

    async nextDueAt(): Promise<number | null> {
        const { rows } = await this.pool.query<{ due: string | null }>('SELECT MIN(due_at) AS due FROM mirror_outbox');
        return rows[0]?.due == null ? null : Number(rows[0].due);
    }

    async delivered(seq: number): Promise<void> {
        await this.pool.query('DELETE FROM mirror_outbox WHERE seq = $1', [seq]);
    }

    async retryLater(seq: number, attempts: number, dueAt: number, error: string): Promise<void> {
        await this.pool.query('UPDATE mirror_outbox SET attempts = $1, due_at = $2, last_error = $3 WHERE seq = $4', [
            attempts,
            dueAt,
            error,
            seq
        ]);
    }

    async park(seq: number, attempts: number, error: string, now: number): Promise<void> {
        // One statement, so atomic on its own: the row leaves the outbox and enters the dead letters together.
        await this.pool.query(
            `WITH moved AS (DELETE FROM mirror_outbox WHERE seq = $1 RETURNING seq, hook, change_id, change)
             INSERT INTO mirror_dead_letters (seq, hook, change_id, change, attempts, last_error, parked_at)
             SELECT seq, hook, change_id, change, $2, $3, $4 FROM moved`,
            [seq, attempts, error, now]
        );
    }

    async deadLetters(): Promise<DeadLetter[]> {
        const { rows } = await this.pool.query<OutboxRecord & { last_error: string; parked_at: string }>(
            'SELECT seq, hook, change, attempts, last_error, parked_at FROM mirror_dead_letters ORDER BY seq'
        );
        return rows.map((row) => ({
            seq: Number(row.seq),
            hook: row.hook,
            attempts: row.attempts,
            change: row.change,
            lastError: row.last_error,
            parkedAt: Number(row.parked_at)
        }));
    }

    async close(): Promise<void> {
        if (this.endPoolOnClose) {
            await this.pool.end();
        }
    }
}
