import type { DatabaseSync } from 'node:sqlite';
import type { ConnectionRef } from './types.js';

export interface StoredConnection extends ConnectionRef {
    metadata: Record<string, unknown> | null;
    config: Record<string, unknown> | null;
}

/** What a connection keeps beside its records: each sync's checkpoint, the connection's metadata and config. */
export class ConnectionState {
    private readonly stmts;

    constructor(db: DatabaseSync) {
        this.stmts = {
            getCheckpoint: db.prepare('SELECT value FROM checkpoints WHERE integration = ? AND connection_id = ? AND sync_name = ?'),
            saveCheckpoint: db.prepare(
                `INSERT INTO checkpoints (integration, connection_id, sync_name, value) VALUES (?, ?, ?, ?)
                 ON CONFLICT (integration, connection_id, sync_name) DO UPDATE SET value = excluded.value`
            ),
            clearCheckpoint: db.prepare('DELETE FROM checkpoints WHERE integration = ? AND connection_id = ? AND sync_name = ?'),
            getConnection: db.prepare('SELECT metadata, config FROM connections WHERE integration = ? AND connection_id = ?'),
            listConnections: db.prepare(
                'SELECT integration, connection_id, metadata, config FROM connections ORDER BY integration, connection_id'
            ),
            setMetadata: db.prepare(
                `INSERT INTO connections (integration, connection_id, metadata) VALUES (?, ?, ?)
                 ON CONFLICT (integration, connection_id) DO UPDATE SET metadata = excluded.metadata`
            ),
            setConfig: db.prepare(
                `INSERT INTO connections (integration, connection_id, config) VALUES (?, ?, ?)
                 ON CONFLICT (integration, connection_id) DO UPDATE SET config = excluded.config`
            )
        };
    }

    /** Every connection that has metadata or config (a connection the runner created always has config). */
    list(): StoredConnection[] {
        const rows = this.stmts.listConnections.all() as {
            integration: string;
            connection_id: string;
            metadata: string | null;
            config: string | null;
        }[];
        return rows.map((row) => ({
            integration: row.integration,
            connectionId: row.connection_id,
            metadata: row.metadata ? (JSON.parse(row.metadata) as Record<string, unknown>) : null,
            config: row.config ? (JSON.parse(row.config) as Record<string, unknown>) : null
        }));
    }

    getCheckpoint<T>(conn: ConnectionRef, syncName: string): T | null {
        const row = this.stmts.getCheckpoint.get(conn.integration, conn.connectionId, syncName) as { value: string } | undefined;
        return row ? (JSON.parse(row.value) as T) : null;
    }

    saveCheckpoint(conn: ConnectionRef, syncName: string, checkpoint: unknown): void {
        this.stmts.saveCheckpoint.run(conn.integration, conn.connectionId, syncName, JSON.stringify(checkpoint));
    }

    clearCheckpoint(conn: ConnectionRef, syncName: string): void {
        this.stmts.clearCheckpoint.run(conn.integration, conn.connectionId, syncName);
    }

    getMetadata<T>(conn: ConnectionRef): T | null {
        const row = this.stmts.getConnection.get(conn.integration, conn.connectionId) as { metadata: string | null } | undefined;
        return row?.metadata ? (JSON.parse(row.metadata) as T) : null;
    }

    setMetadata(conn: ConnectionRef, metadata: Record<string, unknown>): void {
        this.stmts.setMetadata.run(conn.integration, conn.connectionId, JSON.stringify(metadata));
    }

    getConfig(conn: ConnectionRef): Record<string, unknown> | null {
        const row = this.stmts.getConnection.get(conn.integration, conn.connectionId) as { config: string | null } | undefined;
        return row?.config ? (JSON.parse(row.config) as Record<string, unknown>) : null;
    }

    setConfig(conn: ConnectionRef, config: Record<string, unknown>): void {
        this.stmts.setConfig.run(conn.integration, conn.connectionId, JSON.stringify(config));
    }
}
