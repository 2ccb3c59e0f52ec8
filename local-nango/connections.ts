import { SystemClock, type Clock } from '../runtime/clock.js';
import type { ConnectionRef, RecordsStore } from '../runtime/records-store.js';
import type { Simulator } from '../simulators/common/simulator.js';
import { INTEGRATIONS, type IntegrationEntry, type SimulatorName } from '../runner/catalog.js';
import { DEFAULT_CONNECTION } from '../runner/connections.js';
import { prepareSimulatedConnection } from '../runner/setup.js';
import { loadSimulators, saveSimulators, SIMULATED_TOKEN } from '../runner/simulators.js';

/** A connection as the local API knows it: a row of the store's connections table, and its simulated providers. */
export interface LocalConnection extends ConnectionRef {
    entry: IntegrationEntry;
    /** Nango's numeric id of the connection (its row in the store). */
    id: number;
    createdAt: string;
    connectionConfig: Record<string, unknown>;
    metadata: Record<string, unknown> | null;
}

const createdKey = (conn: ConnectionRef) => `local-nango/created/${conn.integration}/${conn.connectionId}`;

/**
 * The connections the local API serves and their simulators. In Nango a connection exists once a user
 * authorised it; locally, the runner's store holds them: every connection the runner (`sync`, `action`, the
 * rehearsal) has used, plus `local` for each integration, created on first start with the settings a simulated
 * provider needs (Salesforce's `instance_url`, the calendars to sync).
 *
 * Simulators are restored from the store once per connection and kept in memory while the API runs (a sync
 * makes hundreds of calls; restoring a mailbox for each would dominate); their state is written back after every
 * request that reached them and when the API stops, so `npm start -- sync/simulate` see what the API did.
 */
export class ConnectionRegistry {
    private readonly sims = new Map<string, Map<SimulatorName, Simulator>>();
    private readonly dirty = new Set<string>();
    constructor(
        readonly store: RecordsStore,
        /** The time the simulators, the proxy's retry waits and the runs follow. */
        readonly clock: Clock = new SystemClock()
    ) {}

    /** Creates `connectionId` (default `local`) for every integration that lacks it. */
    ensureDefaults(connectionId: string = DEFAULT_CONNECTION): void {
        for (const entry of INTEGRATIONS) {
            const conn = { integration: entry.id, connectionId };
            if (this.row(conn)) continue;
            const config = prepareSimulatedConnection(this.store, entry.id, connectionId, this.simulators(entry, connectionId));
            this.store.setConnectionConfig(conn, config);
            this.store.kvSet(createdKey(conn), new Date(this.clock.now()).toISOString());
        }
        this.flush();
    }

    find(integration: string, connectionId: string): LocalConnection | null {
        const entry = INTEGRATIONS.find((candidate) => candidate.id === integration);
        if (!entry) return null;
        const conn = { integration: entry.id, connectionId };
        const row = this.row(conn);
        if (!row) return null;
        return {
            ...conn,
            entry,
            id: row.id,
            createdAt: this.store.kvGet<string>(createdKey(conn)) ?? new Date(0).toISOString(),
            connectionConfig: this.store.getConnectionConfig(conn) ?? {},
            metadata: this.store.getMetadata(conn)
        };
    }

    /** The simulators of one connection's integration, restored from the store on first use. */
    simulators(
        entry: IntegrationEntry,
        connectionId: string,
        names: readonly SimulatorName[] = entry.simulators
    ): Map<SimulatorName, Simulator> {
        let sims = this.sims.get(connectionId);
        if (!sims) {
            sims = new Map();
            this.sims.set(connectionId, sims);
        }
        const missing = names.filter((name) => !sims.has(name));
        if (missing.length > 0) {
            const loaded = loadSimulators(this.store, connectionId, missing, { clock: this.clock, latencyMs: 0, limits: true });
            for (const [name, sim] of loaded) sims.set(name, sim);
            this.dirty.add(connectionId);
        }
        return new Map(names.map((name) => [name, sims.get(name)!]));
    }

    /** Replaces a connection's simulators (conformance runs both sides on one snapshot). */
    replaceSimulators(connectionId: string, sims: ReadonlyMap<SimulatorName, Simulator>): void {
        const held = this.sims.get(connectionId) ?? new Map<SimulatorName, Simulator>();
        for (const [name, sim] of sims) held.set(name, sim);
        this.sims.set(connectionId, held);
        this.dirty.add(connectionId);
    }

    touched(connectionId: string): void {
        this.dirty.add(connectionId);
    }

    /** Writes back the state of every simulator a request reached since the last flush. */
    flush(): void {
        for (const connectionId of this.dirty) {
            const sims = this.sims.get(connectionId);
            if (sims) saveSimulators(this.store, connectionId, sims);
        }
        this.dirty.clear();
    }

    readonly accessToken = SIMULATED_TOKEN;

    /** The integrations this repository's scripts belong to: the only ones the local Nango has. */
    integrations(): readonly IntegrationEntry[] {
        return INTEGRATIONS;
    }

    private row(conn: ConnectionRef): { id: number } | undefined {
        return this.store.db
            .prepare('SELECT rowid AS id FROM connections WHERE integration = ? AND connection_id = ?')
            .get(conn.integration, conn.connectionId) as { id: number } | undefined;
    }
}
