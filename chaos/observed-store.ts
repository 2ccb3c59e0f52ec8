import { RecordsStore, type ConnectionRef, type WriteSummary } from '../runtime/records-store.js';

export interface StoredCheckpoint {
    syncName: string;
    checkpoint: unknown;
}

/**
 * A records store that remembers what the oracle needs and the store itself forgets: every checkpoint ever
 * stored (not only the last), and the ids a single batchSave repeated (the store keeps the first and hides the
 * rest, so a script that saves one record twice in a batch would go unnoticed).
 */
export class ObservedStore extends RecordsStore {
    readonly checkpoints: StoredCheckpoint[] = [];
    readonly repeatedInBatch: string[] = [];

    override saveCheckpoint(conn: ConnectionRef, syncName: string, checkpoint: unknown): void {
        this.checkpoints.push({ syncName, checkpoint });
        super.saveCheckpoint(conn, syncName, checkpoint);
    }

    override saveRecords(
        conn: ConnectionRef,
        model: string,
        records: readonly Record<string, unknown>[],
        options?: Parameters<RecordsStore['saveRecords']>[3]
    ): WriteSummary {
        const seen = new Set<string>();
        for (const record of records) {
            const id = String(record['id']);
            if (seen.has(id)) this.repeatedInBatch.push(`${model}/${id}`);
            seen.add(id);
        }
        return super.saveRecords(conn, model, records, options);
    }
}
