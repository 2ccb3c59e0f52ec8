import type { DatabaseSync } from 'node:sqlite';
import { transaction, type Sequence } from './database.js';
import type { ConnectionRef, WriteOptions } from './types.js';

const KEY = 'integration = ? AND connection_id = ? AND model = ?';

/**
 * Delete tracking: a window opens with a mark of the store's sequence, every save after it counts as a sighting,
 * and closing it soft-deletes the live records no save touched since the mark.
 */
export class DeleteWindows {
    private readonly stmts;

    constructor(
        private readonly db: DatabaseSync,
        private readonly seq: Sequence
    ) {
        this.stmts = {
            get: db.prepare(`SELECT mark FROM delete_windows WHERE ${KEY}`),
            open: db.prepare('INSERT INTO delete_windows (integration, connection_id, model, mark) VALUES (?, ?, ?, ?)'),
            close: db.prepare(`DELETE FROM delete_windows WHERE ${KEY}`),
            unseen: db.prepare(`SELECT id FROM records WHERE ${KEY} AND deleted_at IS NULL AND seen_seq <= ? ORDER BY seq`),
            markDeleted: db.prepare(
                `UPDATE records SET last_modified_at = ?, last_action = 'DELETED', deleted_at = ?, seq = ?, seen_seq = ?
                 WHERE ${KEY} AND id = ?`
            )
        };
    }

    /** A mark for `deleteUnseenSince`: records saved after this call count as seen. */
    mark(): number {
        return this.seq.next();
    }

    /**
     * Opens the delete-tracking window of a model, or keeps the one already open: as in Nango, the window of a
     * full crawl spans executions (a run cut at 15 minutes resumes from its checkpoint, calls trackDeletesStart
     * again, and the records the earlier execution saved still count as seen).
     */
    open(conn: ConnectionRef, model: string): number {
        const open = this.stmts.get.get(conn.integration, conn.connectionId, model) as { mark: number } | undefined;
        if (open) return open.mark;
        const mark = this.mark();
        this.stmts.open.run(conn.integration, conn.connectionId, model, mark);
        return mark;
    }

    /** Closes the model's window and soft-deletes what no save touched since it opened; undefined if none was open. */
    close(conn: ConnectionRef, model: string, options: WriteOptions = {}): string[] | undefined {
        const open = this.stmts.get.get(conn.integration, conn.connectionId, model) as { mark: number } | undefined;
        if (!open) return undefined;
        const deleted = this.deleteUnseenSince(conn, model, open.mark, options);
        this.stmts.close.run(conn.integration, conn.connectionId, model);
        return deleted;
    }

    /** Soft-deletes the live records of a model that no save or update touched since `mark`. */
    deleteUnseenSince(conn: ConnectionRef, model: string, mark: number, options: WriteOptions = {}): string[] {
        const now = options.now ?? Date.now();
        const ids = (this.stmts.unseen.all(conn.integration, conn.connectionId, model, mark) as { id: string }[]).map((r) => r.id);
        transaction(this.db, () => {
            for (const id of ids) {
                const seq = this.seq.next();
                this.stmts.markDeleted.run(now, now, seq, seq, conn.integration, conn.connectionId, model, id);
            }
        });
        return ids;
    }
}
