import { SystemClock } from '../../runtime/clock.js';
import { loadScript } from '../../runtime/sandbox.js';
import { integration as integrationOf, syncOf } from '../catalog.js';
import type { SyncCommandOptions } from '../cli.js';
import { DEFAULT_CONNECTION, LIVE_CONNECTION } from '../connections.js';
import { UserError } from '../errors.js';
import { runOneSync, startingPoint } from '../run.js';
import { openStore, resetSync } from '../store.js';
import { openTarget, printNotice, readJsonArgument, runTable } from './shared.js';

export async function syncCommand(integrationId: string, name: string, options: SyncCommandOptions): Promise<number> {
    const entry = integrationOf(integrationId);
    const sync = syncOf(integrationId, name);
    const live = options.live === true;
    const metadata = options.metadata === undefined ? undefined : readJsonArgument(options.metadata, '--metadata');
    if (metadata !== undefined && (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata))) {
        throw new UserError('--metadata must be a JSON object');
    }
    if (metadata !== undefined) await checkSyncMetadata(entry.id, sync.name, metadata);
    printNotice();
    const connectionId = options.connection ?? (live ? LIVE_CONNECTION : DEFAULT_CONNECTION);
    const store = openStore();
    try {
        const conn = { integration: entry.id, connectionId };
        if (metadata !== undefined) store.setMetadata(conn, metadata as Record<string, unknown>);
        if (options.reset)
            resetSync(
                store,
                conn,
                sync.name,
                sync.models.map((m) => m.model)
            );
        const simulators = [...new Set(sync.models.map((m) => m.simulator))];
        const { target, finish } = openTarget(entry, store, connectionId, live, simulators);
        process.stdout.write(
            `${entry.id} ${sync.name} on connection "${connectionId}" (${live ? 'live API' : 'simulated provider'}), ` +
                `${startingPoint(store, entry.id, connectionId, sync.name)}\n`
        );
        try {
            const row = await runOneSync({
                integration: entry.id,
                name: sync.name,
                phase: live ? 'live' : 'run',
                store,
                connectionId,
                target,
                out: process.stdout
            });
            process.stdout.write(`\n${runTable([row])}\n`);
            for (const model of sync.models) {
                process.stdout.write(
                    `${model.model}: ${store.countLive(conn, model.model)} records cached (npm start -- records ${model.model} --connection ${connectionId})\n`
                );
            }
            return row.status === 'success' ? 0 : 1;
        } finally {
            finish();
        }
    } finally {
        store.close();
    }
}

/**
 * Refuses metadata the sync's own `metadata` schema refuses, naming each field, before it is stored: stored, it
 * would fail every later run of the sync (`--reset` forgets checkpoints and records, not metadata).
 */
export async function checkSyncMetadata(integration: string, syncName: string, metadata: unknown): Promise<void> {
    let schema;
    try {
        ({ metadata: schema } = (await loadScript({ integration, kind: 'syncs', name: syncName, clock: new SystemClock() })).definition);
    } catch (err) {
        throw new UserError(`cannot load ${integration} ${syncName} to check --metadata: ${(err as Error).message}`);
    }
    const parsed = schema?.safeParse(metadata);
    if (!parsed || parsed.success) return;
    const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new UserError(`--metadata does not match the metadata of ${integration} ${syncName}: ${issues.join('; ')}`);
}
