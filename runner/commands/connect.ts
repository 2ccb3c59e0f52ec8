import { integration as integrationOf } from '../catalog.js';
import { DEFAULT_CONNECTION } from '../connections.js';
import { UserError } from '../errors.js';
import { connect, disconnect, isConnected } from '../push.js';
import { openStore } from '../store.js';
import { openTarget, printNotice, readJsonArgument } from './shared.js';
import { syncCommand } from './sync.js';

export interface ConnectCommandOptions {
    metadata?: string;
    connection?: string;
    /** commander's `--no-sync`: false to leave the syncs unstarted. */
    sync?: boolean;
}

/** `connect <integration>`: a connection to the simulated provider, as Nango creates one (runner/push.ts connect). */
export async function connectCommand(integrationId: string, options: ConnectCommandOptions): Promise<number> {
    const entry = integrationOf(integrationId);
    const metadata = options.metadata === undefined ? undefined : readJsonArgument(options.metadata, '--metadata');
    if (metadata !== undefined && (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata))) {
        throw new UserError('--metadata must be a JSON object');
    }
    printNotice();
    const connectionId = options.connection ?? DEFAULT_CONNECTION;
    if (!(await connectOnly(entry.id, connectionId, metadata as Record<string, unknown> | undefined))) return 1;
    if (options.sync === false) return 0;
    // Nango schedules a new connection's auto-start syncs at once (every sync of ours is autoStart): their first run.
    let status = 0;
    for (const sync of entry.syncs) status = Math.max(status, await syncCommand(entry.id, sync.name, { connection: connectionId }));
    return status;
}

async function connectOnly(integrationId: string, connectionId: string, metadata: Record<string, unknown> | undefined): Promise<boolean> {
    const entry = integrationOf(integrationId);
    const store = openStore();
    try {
        const { target, finish } = openTarget(entry, store, connectionId, false);
        try {
            const outcome = await connect({
                store,
                integration: entry.id,
                connectionId,
                target,
                out: process.stdout,
                metadata
            });
            return outcome.ok;
        } finally {
            finish();
        }
    } finally {
        store.close();
    }
}

/** `disconnect <integration>`: pre-connection-deletion, then the connection's records and state are removed. */
export async function disconnectCommand(integrationId: string, options: { connection?: string }): Promise<number> {
    const entry = integrationOf(integrationId);
    printNotice();
    const connectionId = options.connection ?? DEFAULT_CONNECTION;
    const store = openStore();
    try {
        const known =
            isConnected(store, entry.id, connectionId) ||
            store.listConnections().some((c) => c.integration === entry.id && c.connectionId === connectionId);
        if (!known) throw new UserError(`no ${entry.id} connection "${connectionId}" to disconnect`);
        const { target, finish } = openTarget(entry, store, connectionId, false);
        try {
            await disconnect({ store, integration: entry.id, connectionId, target, out: process.stdout });
            return 0;
        } finally {
            finish();
        }
    } finally {
        store.close();
    }
}
