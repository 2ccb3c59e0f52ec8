import { RecordsStore, type ConnectionRef } from '../runtime/records-store.js';
import { storeFile } from './paths.js';

/** The runner's embedded store: the runtime's RecordsStore over the one SQLite file of the local installation. */
export function openStore(): RecordsStore {
    return new RecordsStore(storeFile());
}

/**
 * Forgets everything of one connection id, in every integration: records, checkpoints, metadata, connection config
 * and the state of its simulators. The rehearsal uses its own connection id and starts from this clean slate, so it
 * never touches what a user built up with `sync` and `simulate` under another id.
 */
export function resetConnection(store: RecordsStore, connectionId: string, integration?: string): void {
    const scope = integration === undefined ? '' : ' AND integration = ?';
    const args = integration === undefined ? [connectionId] : [connectionId, integration];
    for (const table of ['records', 'checkpoints', 'connections']) {
        store.db.prepare(`DELETE FROM ${table} WHERE connection_id = ?${scope}`).run(...args);
    }
    if (integration === undefined) {
        store.db.prepare('DELETE FROM kv WHERE key LIKE ?').run(`${simulatorKeyPrefix(connectionId)}%`);
    }
}

export function simulatorKeyPrefix(connectionId: string): string {
    return `simulator/${connectionId}/`;
}

/** `sync --reset`: the sync's checkpoint and its models' records are forgotten, so the next run starts from scratch. */
export function resetSync(store: RecordsStore, conn: ConnectionRef, syncName: string, models: readonly string[]): void {
    store.clearCheckpoint(conn, syncName);
    for (const model of models) {
        store.db
            .prepare('DELETE FROM records WHERE integration = ? AND connection_id = ? AND model = ?')
            .run(conn.integration, conn.connectionId, model);
    }
}
