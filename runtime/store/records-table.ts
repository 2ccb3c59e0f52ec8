import type { DatabaseSync } from 'node:sqlite';
import { transaction, type Sequence } from './database.js';
import { toCachedRecord } from './records-api.js';
import { dedupeById, deepMerge, deletionTime, emptySummary, hashOf, recordId } from './record-rules.js';
import {
    RECORD_COLUMNS,
    type CachedRecord,
    type ConnectionRef,
    type DeletePayload,
    type LastAction,
    type RecordRow,
    type WriteOptions,
    type WriteSummary
} from './types.js';

const KEY = 'integration = ? AND connection_id = ? AND model = ?';

/**
 * Whether merging leaves this stored record alone: packages/records/lib/stores/postgres/postgres.ts upserts an
 * existing record only when `(r.updated_at, r.id) <= cursor`, and deletes and updates under the same condition.
 */
function modifiedAfter(existing: { seq: number }, options: WriteOptions): boolean {
    return options.notModifiedAfter !== undefined && options.notModifiedAfter !== null && existing.seq > options.notModifiedAfter;
}

/**
 * The records of every connection and model, written as Nango's persist service writes them: upserted by
 * (connection, model, id), a change detected by the hash of the record, deletions soft, and every write numbered
 * by the store's sequence so a consumer polling with its cursor sees every later change, in order.
 */
export class RecordsTable {
    private readonly stmts;

    constructor(
        private readonly db: DatabaseSync,
        private readonly seq: Sequence
    ) {
        this.stmts = {
            getRow: db.prepare(`SELECT ${RECORD_COLUMNS} FROM records WHERE ${KEY} AND id = ?`),
            getState: db.prepare(`SELECT hash, deleted_at, seq FROM records WHERE ${KEY} AND id = ?`),
            lastSeq: db.prepare(`SELECT MAX(seq) AS seq FROM records WHERE ${KEY}`),
            insert: db.prepare(
                `INSERT INTO records (integration, connection_id, model, id, data, hash, first_seen_at, last_modified_at, last_action, deleted_at, seq, seen_seq)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
            ),
            update: db.prepare(
                `UPDATE records SET data = ?, hash = ?, last_modified_at = ?, last_action = ?, deleted_at = ?, seq = ?, seen_seq = ?
                 WHERE ${KEY} AND id = ?`
            ),
            touch: db.prepare(`UPDATE records SET seen_seq = ? WHERE ${KEY} AND id = ?`),
            live: db.prepare(`SELECT data FROM records WHERE ${KEY} AND deleted_at IS NULL ORDER BY seq`),
            all: db.prepare(`SELECT ${RECORD_COLUMNS} FROM records WHERE ${KEY} ORDER BY seq`),
            count: db.prepare(`SELECT COUNT(*) AS n FROM records WHERE ${KEY} AND deleted_at IS NULL`)
        };
    }

    /**
     * Upserts full records. A record whose hash is unchanged is left alone (not an update, its cursor does not
     * move); a previously deleted record comes back (counted as added, listed as UPDATED, as in Nango).
     */
    save(conn: ConnectionRef, model: string, records: readonly Record<string, unknown>[], options: WriteOptions = {}): WriteSummary {
        const now = options.now ?? Date.now();
        const summary = emptySummary();
        transaction(this.db, () => {
            for (const record of dedupeById(records)) {
                const id = recordId(record);
                const data = JSON.stringify(record);
                const hash = hashOf(data);
                const existing = this.getState(conn, model, id);
                const seq = this.seq.next();
                if (!existing) {
                    this.stmts.insert.run(conn.integration, conn.connectionId, model, id, data, hash, now, now, 'ADDED', null, seq, seq);
                    summary.added.push(id);
                } else if (modifiedAfter(existing, options)) {
                    this.stmts.touch.run(seq, conn.integration, conn.connectionId, model, id);
                    summary.unchanged.push(id);
                    continue;
                } else if (existing.deleted_at !== null) {
                    this.writeRow(conn, model, id, { data, hash, now, action: 'UPDATED', deletedAt: null, seq });
                    summary.added.push(id);
                } else if (existing.hash !== hash) {
                    this.writeRow(conn, model, id, { data, hash, now, action: 'UPDATED', deletedAt: null, seq });
                    summary.updated.push(id);
                } else {
                    this.stmts.touch.run(seq, conn.integration, conn.connectionId, model, id);
                    summary.unchanged.push(id);
                    continue;
                }
                if (options.notModifiedAfter !== undefined) summary.lastChanged = seq;
            }
        });
        return summary;
    }

    /**
     * Merges partial records into the stored ones, the way Nango's `batchUpdate` does (records.update): objects
     * merge recursively, arrays element by element, other values are replaced; every matched record is rewritten
     * and counted as updated, even when nothing changed, and a deleted record stays deleted. Unknown ids are ignored.
     */
    update(conn: ConnectionRef, model: string, partials: readonly Record<string, unknown>[], options: WriteOptions = {}): WriteSummary {
        const now = options.now ?? Date.now();
        const summary = emptySummary();
        transaction(this.db, () => {
            for (const partial of dedupeById(partials)) {
                const id = recordId(partial);
                const existing = this.getRow(conn, model, id);
                if (!existing || modifiedAfter(existing, options)) continue;
                const data = JSON.stringify(deepMerge(JSON.parse(existing.data) as unknown, partial));
                const deleted = existing.deleted_at !== null;
                const seq = this.seq.next();
                this.writeRow(conn, model, id, {
                    data,
                    hash: hashOf(data),
                    now,
                    action: deleted ? 'DELETED' : 'UPDATED',
                    deletedAt: existing.deleted_at,
                    seq
                });
                summary.updated.push(id);
                if (options.notModifiedAfter !== undefined) summary.lastChanged = seq;
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
    delete(conn: ConnectionRef, model: string, records: readonly DeletePayload[], options: WriteOptions = {}): WriteSummary {
        const now = options.now ?? Date.now();
        const summary = emptySummary();
        transaction(this.db, () => {
            for (const record of dedupeById(records)) {
                const id = recordId(record);
                const data = JSON.stringify(record);
                const hash = hashOf(data);
                const deletedAt = deletionTime(record, now);
                const existing = this.getState(conn, model, id);
                if (existing && modifiedAfter(existing, options)) {
                    summary.unchanged.push(id);
                    continue;
                }
                const seq = this.seq.next();
                if (options.notModifiedAfter !== undefined) summary.lastChanged = seq;
                if (!existing) {
                    const row = [data, hash, now, now, 'DELETED', deletedAt, seq, seq] as const;
                    this.stmts.insert.run(conn.integration, conn.connectionId, model, id, ...row);
                } else {
                    this.writeRow(conn, model, id, { data, hash, now, action: 'DELETED', deletedAt, seq });
                    (existing.deleted_at === null ? summary.deleted : summary.unchanged).push(id);
                }
            }
        });
        return summary;
    }

    byIds(conn: ConnectionRef, model: string, ids: readonly string[]): Map<string, CachedRecord> {
        const found = new Map<string, CachedRecord>();
        for (const id of ids) {
            const row = this.getRow(conn, model, String(id));
            if (row) found.set(String(id), toCachedRecord(row));
        }
        return found;
    }

    /** Live (not deleted) records of a model, without metadata, in modification order. */
    live(conn: ConnectionRef, model: string): Record<string, unknown>[] {
        return (this.stmts.live.all(conn.integration, conn.connectionId, model) as { data: string }[]).map(
            (r) => JSON.parse(r.data) as Record<string, unknown>
        );
    }

    /** Every record of a model, deleted ones included, with `_nango_metadata`, in modification order. */
    all(conn: ConnectionRef, model: string): CachedRecord[] {
        return (this.stmts.all.all(conn.integration, conn.connectionId, model) as unknown as RecordRow[]).map(toCachedRecord);
    }

    /** The cursor of the model's latest change (Nango's getCursor with offset `last`); null without records. */
    lastSeq(conn: ConnectionRef, model: string): number | null {
        return (this.stmts.lastSeq.get(conn.integration, conn.connectionId, model) as { seq: number | null }).seq;
    }

    countLive(conn: ConnectionRef, model: string): number {
        return (this.stmts.count.get(conn.integration, conn.connectionId, model) as { n: number }).n;
    }

    private getState(conn: ConnectionRef, model: string, id: string): { hash: string; deleted_at: number | null; seq: number } | undefined {
        return this.stmts.getState.get(conn.integration, conn.connectionId, model, id) as
            { hash: string; deleted_at: number | null; seq: number } | undefined;
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
        const values = [row.data, row.hash, row.now, row.action, row.deletedAt, row.seq, row.seq] as const;
        this.stmts.update.run(...values, conn.integration, conn.connectionId, model, id);
    }
}
