import type { SetupServer } from 'msw/node';
import {
    runAction,
    runSync,
    VirtualClock,
    type ActionResult,
    type RunActionOptions,
    type RunSyncOptions,
    type SyncResult
} from '../runtime/index.js';
import type { Simulator } from '../simulators/common/simulator.js';
import { verdictOfCache, type Verdict } from '../simulators/common/truth.js';
import { prepareSimulatedConnection, truthFor } from '../runner/setup.js';
import { createSimulator, SIMULATED_TOKEN } from '../runner/simulators.js';
import { connect, deliver, type ConnectOutcome } from '../runner/push.js';
import { pushOutboxOf, type PushNotification } from '../simulators/common/push.js';
import { ObservedStore } from './observed-store.js';
import type { ChaosSubject } from './subjects.js';

/** Where the simulators' handlers go: the campaign's own msw server, or a test file's. */
export type Network = Pick<SetupServer, 'resetHandlers'>;

export const CHAOS_CONNECTION = 'chaos';

/** One seeded provider, a cache for one connection, and a virtual clock they share. */
export interface World {
    subject: ChaosSubject;
    clock: VirtualClock;
    sim: Simulator;
    store: ObservedStore;
    conn: { integration: string; connectionId: string };
    /** Runs the subject's sync into `store` (default: the world's own), on the world's clock. */
    sync(extra?: Partial<RunSyncOptions>, store?: ObservedStore): Promise<SyncResult>;
    /** Runs one of the integration's actions on the same connection and clock. */
    action(name: string, input: unknown, extra?: Partial<RunActionOptions>): Promise<ActionResult>;
    /** The cache of `store` (default: the world's) against the provider's truth, per model. */
    verdicts(store?: ObservedStore): Verdict[];
    /** An empty cache for the same connection (same metadata), for a fresh sync on the same provider. */
    emptyStore(): ObservedStore;
    /** Creates the connection as Nango does (on-event scripts included), with this metadata. */
    connect(metadata: Record<string, unknown>): Promise<{ outcome: ConnectOutcome; log: string }>;
    /** Notifications the simulator queued for Nango's webhook URL; 0 when it has no outbox. */
    pushQueued(): number;
    /** Takes the queue and delivers it (routed, then onWebhook per route), in the order `arrange` gives; one line each. */
    deliver(arrange?: (queued: PushNotification[]) => PushNotification[]): Promise<string[]>;
}

export interface WorldOptions {
    seed: number;
    size: number;
    network: Network;
    /** Run the sync from another Nango folder (the campaign's own test runs a deliberately broken copy). */
    integrationsDir?: string | undefined;
    /** Per-call latency of the simulated API on the virtual clock; 0 by default (the bench's push timing sets it). */
    latencyMs?: number | undefined;
}

export function createWorld(subject: ChaosSubject, options: WorldOptions): World {
    const clock = new VirtualClock();
    const sim = createSimulator(subject.simulator, {
        clock,
        seed: options.seed,
        size: options.size,
        latencyMs: options.latencyMs ?? 0,
        limits: true
    });
    options.network.resetHandlers(...sim.handlers);
    const { integration } = subject.sync;
    const conn = { integration, connectionId: CHAOS_CONNECTION };
    const store = new ObservedStore(':memory:');
    const connectionConfig = prepareSimulatedConnection(store, integration, CHAOS_CONNECTION, new Map([[subject.simulator, sim]]));
    // What a fresh cache of the same connection starts with: as prepared, or as connect left it.
    let metadata = store.getMetadata(conn);
    return {
        subject,
        clock,
        sim,
        store,
        conn,
        sync: (extra = {}, into = store) =>
            runSync({
                integration,
                name: subject.sync.name,
                store: into,
                connectionId: CHAOS_CONNECTION,
                accessToken: SIMULATED_TOKEN,
                connectionConfig,
                clock,
                integrationsDir: options.integrationsDir,
                ...extra
            }),
        action: (name, input, extra = {}) =>
            runAction({
                integration,
                name,
                input,
                store,
                connectionId: CHAOS_CONNECTION,
                accessToken: SIMULATED_TOKEN,
                connectionConfig,
                clock,
                ...extra
            }),
        verdicts: (of = store) =>
            subject.sync.models.map((m) =>
                verdictOfCache(
                    m.model,
                    truthFor(of, integration, CHAOS_CONNECTION, m.model, sim),
                    of.allRecords(conn, m.model),
                    (model, r) => sim.versionOf(model, r)
                )
            ),
        emptyStore: () => {
            const fresh = new ObservedStore(':memory:');
            if (metadata !== null) fresh.setMetadata(conn, metadata);
            return fresh;
        },
        connect: async (withMetadata) => {
            let text = '';
            const outcome = await connect({
                store,
                integration,
                connectionId: CHAOS_CONNECTION,
                target: { accessToken: SIMULATED_TOKEN, connectionConfig, clock },
                out: { write: (chunk: string) => (text += chunk) },
                metadata: { ...(store.getMetadata(conn) ?? {}), ...withMetadata },
                integrationsDir: options.integrationsDir
            });
            metadata = store.getMetadata(conn);
            return { outcome, log: text.trimEnd() };
        },
        pushQueued: () => pushOutboxOf(sim)?.peek().length ?? 0,
        deliver: async (arrange = (queued) => queued) => {
            const queued = pushOutboxOf(sim)?.take() ?? [];
            if (queued.length === 0) return [];
            const lines = await deliver({
                store,
                notifications: arrange(queued),
                connectionId: CHAOS_CONNECTION,
                target: { accessToken: SIMULATED_TOKEN, connectionConfig, clock },
                out: { write: () => true },
                integrationsDir: options.integrationsDir
            });
            return lines.map((line) => line.text);
        }
    };
}
