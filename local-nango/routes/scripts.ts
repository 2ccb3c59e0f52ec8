import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { runAction, runSync, type SyncResult } from '../../runtime/index.js';
import { REPO_ROOT } from '../../runtime/sandbox.js';
import type { SyncEntry } from '../../runner/catalog.js';
import { resetSync } from '../../runner/store.js';
import type { ConnectionRegistry, LocalConnection } from '../connections.js';
import { header, invalid, json, jsonBody, nangoError, queryObject, type ApiRequest, type ApiResponse } from '../http.js';
import type { SimulatedNetwork } from '../network.js';
import { syncWebhookBodies, type WebhookSender } from '../webhooks.js';
import { connectionIdSchema, providerConfigKeySchema, scriptNameSchema } from './schemas.js';

// `POST /action/trigger`, `POST /sync/trigger`, `GET /sync/status`: packages/server/lib/controllers/action/
// {postTriggerAction,runAction}.ts and controllers/sync/{postTrigger,getSyncStatus}.ts in NangoHQ/nango. The
// script runs through our runtime (runtime/run.ts) against the connection's simulators.

/** What the last run of one sync on one connection did, for `/sync/status`. */
interface SyncRunState {
    status: 'RUNNING' | 'SUCCESS' | 'ERROR';
    finishedAt?: string;
    latestResult?: Record<string, { added: number; updated: number; deleted: number }>;
    error?: string;
    /** The end of the last successful run: Nango's last sync date (none: the next run is a full one). */
    lastSuccessAt?: string;
}

const actionHeaders = z.object({
    'provider-config-key': providerConfigKeySchema,
    'connection-id': connectionIdSchema,
    'x-async': z.enum(['true', 'false']).optional(),
    'x-max-retries': z.coerce.number().min(0).max(5).optional()
});
const actionBody = z.object({ action_name: scriptNameSchema, input: z.unknown() });

export class ScriptRoutes {
    private readonly runs = new Map<string, SyncRunState>();
    /** Sync runs in flight: triggers answer at once, as Nango's do, and the runs follow one after another. */
    private queue: Promise<void> = Promise.resolve();
    private readonly frequencies = readFrequencies();

    constructor(
        private readonly registry: ConnectionRegistry,
        private readonly network: SimulatedNetwork,
        private readonly webhooks?: WebhookSender
    ) {}

    /** Resolves when every triggered sync has finished and its webhooks are delivered (or given up). */
    async idle(): Promise<void> {
        await this.queue;
        await this.webhooks?.idle();
    }

    async triggerAction(req: ApiRequest): Promise<ApiResponse> {
        const headers = actionHeaders.safeParse(req.headers);
        if (!headers.success) return invalid('invalid_headers', headers.error);
        if ([...req.query.keys()].length > 0) return nangoError(400, 'invalid_query_params', 'no query parameters are accepted');
        const parsed = jsonBody(req);
        if ('error' in parsed) return parsed.error;
        const body = actionBody.safeParse(parsed.value);
        if (!body.success) return invalid('invalid_body', body.error);
        if (headers.data['x-async'] === 'true')
            return nangoError(501, 'not_implemented', 'the local Nango API runs actions synchronously only');

        const connection = this.registry.find(headers.data['provider-config-key'], headers.data['connection-id']);
        if (!connection) return nangoError(400, 'unknown_connection', 'Failed to find connection');
        const name = body.data.action_name;
        if (!connection.entry.actions.some((action) => action.name === name)) {
            return nangoError(404, 'not_found', `Action '${name}' not found`);
        }
        const sims = [...this.registry.simulators(connection.entry, connection.connectionId).values()];
        try {
            const result = await this.network.within(sims, () =>
                runAction({ ...this.runOptions(connection), name, input: body.data.input })
            );
            if (result.status === 'success') return json(200, result.output ?? null);
            return actionFailure(result.error);
        } finally {
            this.registry.touched(connection.connectionId);
            this.registry.flush();
        }
    }

    triggerSync(req: ApiRequest): ApiResponse {
        if ([...req.query.keys()].length > 0) return nangoError(400, 'invalid_query_params', 'no query parameters are accepted');
        const parsed = jsonBody(req);
        if ('error' in parsed) return parsed.error;
        const body = z
            .object({
                syncs: z.array(z.union([z.string(), z.object({ name: z.string(), variant: z.string() })])),
                sync_mode: z.enum(['incremental', 'full_refresh', 'full_refresh_and_clear_cache']).optional(),
                full_resync: z.boolean().optional(),
                connection_id: z.string().optional(),
                provider_config_key: z.string().optional(),
                opts: z.object({ reset: z.boolean().optional(), emptyCache: z.boolean().optional() }).optional()
            })
            .strict()
            .safeParse(parsed.value);
        if (!body.success) return invalid('invalid_body', body.error);
        const b = body.data;
        const key = b.provider_config_key ?? header(req, 'provider-config-key');
        if (!key) return nangoError(400, 'missing_provider_config_key', 'Missing provider_config_key. Provide it in the body or headers.');
        if (b.opts && (b.sync_mode !== undefined || b.full_resync !== undefined)) {
            return nangoError(400, 'invalid_body', 'Cannot use opts with deprecated sync_mode/full_resync parameters');
        }
        const entry = this.registry.integrations().find((candidate) => candidate.id === key);
        if (!entry) return nangoError(400, 'unknown_provider_config', `Integration "${key}" does not exist`);
        const connectionId = b.connection_id ?? header(req, 'connection-id');
        const connections = connectionId === undefined ? this.connectionsOf(key) : [this.registry.find(key, connectionId)];
        if (connections.some((connection) => connection === null) || connections.length === 0) {
            return nangoError(400, 'unknown_connection', 'Failed to find connection');
        }
        const names = b.syncs.map((sync) => (typeof sync === 'string' ? sync : sync.name));
        const syncs = names.length === 0 ? entry.syncs : entry.syncs.filter((sync) => names.includes(sync.name));
        if (syncs.length !== (names.length === 0 ? entry.syncs.length : names.length)) {
            return nangoError(404, 'no_syncs_found', `No syncs found given the inputs: ${names.join(', ')}`);
        }
        const reset =
            b.opts?.reset === true ||
            b.sync_mode === 'full_refresh' ||
            b.sync_mode === 'full_refresh_and_clear_cache' ||
            b.full_resync === true;
        const emptyCache = b.opts?.emptyCache === true || b.sync_mode === 'full_refresh_and_clear_cache';
        for (const connection of connections as LocalConnection[]) {
            for (const sync of syncs) this.enqueue(connection, sync, { reset, emptyCache });
        }
        return json(200, { success: true });
    }

    syncStatus(req: ApiRequest): ApiResponse {
        const query = z
            .strictObject({ syncs: z.string(), provider_config_key: providerConfigKeySchema, connection_id: connectionIdSchema.optional() })
            .safeParse(queryObject(req.query));
        if (!query.success) return invalid('invalid_query_params', query.error);
        const { syncs, provider_config_key: key, connection_id: connectionId } = query.data;
        const entry = this.registry.integrations().find((candidate) => candidate.id === key);
        if (!entry) return nangoError(400, 'invalid_body', 'Failed to get sync status');
        let connections = this.connectionsOf(key);
        if (connectionId !== undefined) {
            const connection = this.registry.find(key, connectionId);
            if (!connection) return nangoError(400, 'invalid_body', 'Connection not found');
            connections = [connection];
        }
        const names = syncs === '*' ? entry.syncs.map((sync) => sync.name) : syncs.split(',').map((name) => name.split('::')[0]!);
        const chosen = entry.syncs.filter((sync) => names.includes(sync.name));
        const reported = connections.flatMap((connection) => chosen.map((sync) => this.status(connection, sync)));
        return json(200, { syncs: reported });
    }

    private status(connection: LocalConnection, sync: SyncEntry): Record<string, unknown> {
        const state = this.runs.get(runKey(connection, sync.name));
        const recordCount: Record<string, number> = {};
        for (const { model } of sync.models) recordCount[model] = this.registry.store.countLive(connection, model);
        return {
            id: `${connection.integration}/${connection.connectionId}/${sync.name}`,
            connection_id: connection.connectionId,
            name: sync.name,
            variant: 'base',
            type: state?.latestResult ? 'INCREMENTAL' : 'INITIAL',
            // A local sync has no schedule: it runs when triggered. Never run means paused, as a sync not started.
            status: state?.status ?? 'PAUSED',
            frequency: this.frequencies.get(`${connection.integration}/${sync.name}`) ?? null,
            finishedAt: state?.finishedAt,
            nextScheduledSyncAt: null,
            latestExecutionStatus: state?.status,
            latestResult: state?.latestResult,
            recordCount,
            checkpoint: this.registry.store.getCheckpoint(connection, sync.name)
        };
    }

    private enqueue(connection: LocalConnection, sync: SyncEntry, options: { reset: boolean; emptyCache: boolean }): void {
        const key = runKey(connection, sync.name);
        this.runs.set(key, { ...this.runs.get(key), status: 'RUNNING' });
        this.queue = this.queue.then(async () => {
            if (options.emptyCache)
                resetSync(
                    this.registry.store,
                    connection,
                    sync.name,
                    sync.models.map((m) => m.model)
                );
            else if (options.reset) this.registry.store.clearCheckpoint(connection, sync.name);
            const previous = this.runs.get(key);
            const lastSyncDate = options.reset || options.emptyCache ? undefined : previous?.lastSuccessAt;
            const startedAt = new Date(this.registry.clock.now());
            const checkpointBefore = this.registry.store.getCheckpoint(connection, sync.name);
            const names = [...new Set(sync.models.map((m) => m.simulator))];
            const sims = [...this.registry.simulators(connection.entry, connection.connectionId, names).values()];
            let result: SyncResult | undefined;
            try {
                result = await this.network.within(sims, () => runSync({ ...this.runOptions(connection), name: sync.name }));
            } finally {
                this.registry.touched(connection.connectionId);
                this.registry.flush();
                const finishedAt = new Date(this.registry.clock.now()).toISOString();
                const success = result?.status === 'success';
                const lastSuccessAt = success ? finishedAt : lastSyncDate;
                this.runs.set(key, {
                    status: success ? 'SUCCESS' : 'ERROR',
                    finishedAt,
                    ...(result ? { latestResult: result.byModel } : {}),
                    ...(result?.error ? { error: result.error.message } : {}),
                    ...(lastSuccessAt === undefined ? {} : { lastSuccessAt })
                });
                const checkpointAfter = this.registry.store.getCheckpoint(connection, sync.name);
                const bodies = syncWebhookBodies({
                    connectionId: connection.connectionId,
                    providerConfigKey: connection.integration,
                    syncName: sync.name,
                    models: sync.models.map((m) => m.model),
                    full: lastSyncDate === undefined,
                    startedAt,
                    lastSyncDate: lastSyncDate === undefined ? null : new Date(lastSyncDate),
                    endedAt: new Date(finishedAt),
                    byModel: result?.byModel ?? {},
                    error: success
                        ? undefined
                        : { message: result?.error?.message ?? 'the sync did not finish', payload: result?.error?.payload },
                    checkpoints: checkpointBefore || checkpointAfter ? { from: checkpointBefore, to: checkpointAfter } : null
                });
                for (const body of bodies) this.webhooks?.send(body);
            }
        });
    }

    private runOptions(connection: LocalConnection) {
        return {
            integration: connection.integration,
            store: this.registry.store,
            connectionId: connection.connectionId,
            accessToken: this.registry.accessToken,
            connectionConfig: connection.connectionConfig,
            clock: this.registry.clock
        };
    }

    private connectionsOf(integration: string): LocalConnection[] {
        const rows = this.registry.store.db
            .prepare('SELECT connection_id FROM connections WHERE integration = ? ORDER BY rowid')
            .all(integration) as {
            connection_id: string;
        }[];
        return rows.map((row) => this.registry.find(integration, row.connection_id)).filter((c): c is LocalConnection => c !== null);
    }
}

/**
 * An action's failure as Nango's server answers it (errResFromNangoErr, packages/shared/lib/utils/error.manager.ts):
 * an ActionError is the runner's `action_script_runtime_error`, status 500, its payload as given
 * (packages/runner/lib/exec.ts); a provider error is `script_http_error`, 424, with the provider's body as payload.
 */
function actionFailure(error: { error_type: string; message: string; payload: Record<string, unknown>; status?: number }): ApiResponse {
    if (error.error_type === 'action_script_failure') {
        return nangoError(500, 'action_script_runtime_error', 'The action script failed with a runtime error', { payload: error.payload });
    }
    if (error.error_type === 'script_http_error') return json(424, { error: { payload: error.payload, code: 'script_http_error' } });
    return nangoError(500, error.error_type, error.message, { payload: error.payload });
}

function runKey(connection: LocalConnection, sync: string): string {
    return `${connection.integration}/${connection.connectionId}/${sync}`;
}

/** Each sync's `runs` from the generated manifest (nango.yaml), as Nango reports it in `frequency`. */
function readFrequencies(): Map<string, string> {
    const frequencies = new Map<string, string>();
    const manifest = parse(readFileSync(resolve(REPO_ROOT, 'nango.yaml'), 'utf8')) as {
        integrations?: Record<string, { syncs?: Record<string, { runs?: string }> }>;
    };
    for (const [integration, scripts] of Object.entries(manifest.integrations ?? {})) {
        for (const [name, sync] of Object.entries(scripts.syncs ?? {})) if (sync.runs) frequencies.set(`${integration}/${name}`, sync.runs);
    }
    return frequencies;
}
