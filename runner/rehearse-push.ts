/**
 * The rehearsal's push step, for integrations with push configured (IntegrationEntry.push): what the provider
 * activity queued is delivered before any poll and the cache judged then; after the next poll, nothing the push wrote
 * may have moved back (the poll finds no newer version, so it must leave those records as they were).
 */
import { webhookSyncs } from '../runtime/deployed.js';
import type { RecordsStore } from '../runtime/records-store.js';
import { pushOutboxOf, type PushNotification } from '../simulators/common/push.js';
import type { Verdict } from '../simulators/common/truth.js';
import type { SyncEntry } from './catalog.js';
import type { Output } from './progress.js';
import { deliver, type ConnectionTarget, type DeliveryLine } from './push.js';
import type { RunRow } from './run.js';

export interface PushPhase {
    lines: DeliveryLine[];
    /** One row per onWebhook run, for the run table. */
    rows: RunRow[];
    /** The models of the syncs with onWebhook, judged right after the delivery, before any poll. */
    verdicts: Verdict[];
    /** After the poll: `<model> <id>` of every record the poll changed from what the push left. */
    movedBack(): string[];
}

export async function pushPhase(options: {
    store: RecordsStore;
    integration: string;
    connectionId: string;
    /** The integration's simulators; those that push expose `push: PushOutbox`. */
    simulators: readonly unknown[];
    target: ConnectionTarget;
    syncs: readonly SyncEntry[];
    verdictOf: (model: string) => Verdict;
    out: Output;
    integrationsDir?: string | undefined;
}): Promise<PushPhase> {
    const { store, integration, connectionId, out } = options;
    const queued = options.simulators.flatMap((sim) => pushOutboxOf(sim)?.take() ?? []).sort(byEmission);
    out.write(`  push: ${queued.length} notification(s) queued\n`);
    const started = performance.now();
    const lines = await deliver({
        store,
        notifications: queued,
        connectionId,
        target: options.target,
        out: { write: (text: string) => out.write(`    ${text}`) },
        integrationsDir: options.integrationsDir
    });
    const wallMs = performance.now() - started;
    const rows = lines.flatMap((line) =>
        line.runs.map((run): RunRow => {
            const counts = Object.values(run.byModel);
            const sum = (key: 'added' | 'updated' | 'deleted') => counts.reduce((total, c) => total + c[key], 0);
            return {
                script: run.syncName,
                phase: 'webhook',
                status: run.status,
                added: sum('added'),
                updated: sum('updated'),
                deleted: sum('deleted'),
                calls: 0,
                units: null,
                wallMs: wallMs / Math.max(1, lines.length)
            };
        })
    );

    const pushed = new Set(
        (await webhookSyncs(integration, { integrationsDir: options.integrationsDir, clock: options.target.clock })).map((s) => s.name)
    );
    const models = options.syncs.filter((sync) => pushed.has(sync.name)).flatMap((sync) => sync.models.map((m) => m.model));
    const verdicts = models.map((model) => ({ ...options.verdictOf(model), model: `${model} (after push, before any poll)` }));
    const conn = { integration, connectionId };
    const snapshot = new Map(models.map((model) => [model, recordsById(store, conn, model)]));
    return {
        lines,
        rows,
        verdicts,
        movedBack: () => {
            const changed: string[] = [];
            for (const [model, before] of snapshot) {
                const after = recordsById(store, conn, model);
                for (const [id, record] of before) if (after.get(id) !== record) changed.push(`${model} ${id}`);
            }
            return changed;
        }
    };
}

/** Each record's data (deleted ones marked), as JSON, by id. */
function recordsById(store: RecordsStore, conn: { integration: string; connectionId: string }, model: string): Map<string, string> {
    return new Map(
        store.allRecords(conn, model).map((record) => {
            const { _nango_metadata: meta, ...data } = record;
            return [record.id, JSON.stringify({ data, deleted: meta.deleted_at !== null })];
        })
    );
}

function byEmission(a: PushNotification, b: PushNotification): number {
    return a.emittedAt - b.emittedAt;
}
