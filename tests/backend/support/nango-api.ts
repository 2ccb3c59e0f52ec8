/**
 * A stand-in for Nango's public API, as msw handlers, for the backend's tests: the routes `@nangohq/node` calls,
 * answering and refusing as NangoHQ/nango's server does. Sources (NangoHQ/nango):
 * - auth: packages/server/lib/middleware/access.middleware.ts (`Bearer <uuid v4>`; missing header, malformed,
 *   not a UUID v4, unknown key: 401) with bodies from packages/shared/lib/utils/error.ts + error.manager.ts;
 * - GET /records: packages/server/lib/controllers/records/getRecords.ts (strict query: model `^[A-Z][a-zA-Z0-9_-]+$`,
 *   limit 1..10000 default 100, modified_after within 12 months, filter, cursor 1..1000 chars; headers
 *   connection-id, provider-config-key; unknown connection 400) and packages/records/lib/stores/postgres/postgres.ts
 *   (order by updated_at, id; cursor = base64 `<updated_at>||<row uuid>`, an undecodable one fails the query and
 *   the controller answers 500 server_error; `next_cursor` only when more rows follow; last_action from
 *   created_at/updated_at/deleted_at). A model with no records is not refused: the page is empty.
 * - POST /action/trigger: packages/server/lib/controllers/action/postTriggerAction.ts, runAction.ts (unknown action
 *   404 not_found) and packages/runner/lib/exec.ts (ActionError -> 500 action_script_runtime_error with its payload);
 * - GET /connections/:id, POST /connections/metadata: packages/server/lib/controllers/connection/connectionId/*;
 * - /proxy/*: packages/server/lib/controllers/proxy/allProxy.ts (connection-id and provider-config-key headers,
 *   `Nango-Proxy-<name>` headers forwarded as `<name>`), to the provider's `proxy.base_url` (@nangohq/providers) with
 *   the connection's token, and the provider's answer passed back.
 *
 * Actions run for real: the repository's scripts through the local runtime (runtime/), against whatever
 * provider simulator the test has registered.
 */
import { randomUUID } from 'node:crypto';
import { getProvider } from '@nangohq/providers';
import { http, HttpResponse, type HttpHandler } from 'msw';
import { z } from 'zod';
import { RecordsStore, runAction, VirtualClock, type ActionResult } from '../../../runtime/index.js';

export const NANGO_HOST = 'https://api.nango.test';

const UUID_V4 = /^[0-9A-F]{8}-[0-9A-F]{4}-[4][0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/i;
const MODEL = /^[A-Z][a-zA-Z0-9_-]+$/;

/** NangoError messages of packages/shared/lib/utils/error.ts for the auth refusals. */
const AUTH_MESSAGES = {
    missing_auth_header: 'Authentication failed. The request is missing the Authorization header.',
    malformed_auth_header: 'Authentication failed. The Authorization header is malformed.',
    invalid_secret_key_format: 'Authentication failed. The provided secret key is not a UUID v4.',
    unknown_account: 'Authentication failed. The provided authorization header does not match any account.'
} as const;

interface StoredRecord {
    /** The row's uuid in Nango's records table (the cursor's tie-breaker), not the record's own id. */
    rowId: string;
    updatedMs: number;
    payload: Record<string, unknown>;
    createdAt: string;
    updatedAt: string;
    deletedAt: string | null;
}

interface Connection {
    providerConfigKey: string;
    connectionId: string;
    /** Folder name of the integration in this repository, for running its actions. */
    integration: string;
    metadata: Record<string, unknown>;
    createdAt: string;
}

type ActionRunner = (request: { integration: string; action: string; connectionId: string; input: unknown }) => Promise<ActionResult>;

export interface NangoStandInOptions {
    secretKey: string;
    /** Environment's integration id -> the repository's folder name. */
    integrations: Record<string, string>;
    clock?: VirtualClock;
}

function nangoTimestamp(ms: number): string {
    // Postgres `to_json(timestamptz)`: up to microseconds, trailing zeros dropped, an explicit offset.
    return new Date(ms).toISOString().replace(/\.?0*Z$/, '+00:00');
}

function cursorOf(record: StoredRecord): string {
    return Buffer.from(`${record.updatedAt}||${record.rowId}`).toString('base64');
}

const CursorParts = z.object({ sort: z.iso.datetime({ offset: true }), id: z.uuid() });

function decodeCursor(encoded: string): { sort: string; id: string } | undefined {
    const parts = Buffer.from(encoded, 'base64').toString('ascii').split('||');
    if (parts.length !== 2) {
        return undefined;
    }
    const parsed = CursorParts.safeParse({ sort: parts[0], id: parts[1] });
    return parsed.success ? parsed.data : undefined;
}

const Filter = z
    .string()
    .transform((value) => value.split(','))
    .pipe(z.array(z.enum(['added', 'updated', 'deleted', 'ADDED', 'UPDATED', 'DELETED'])));

export class NangoStandIn {
    readonly clock: VirtualClock;
    readonly store = new RecordsStore(':memory:');
    private readonly connections = new Map<string, Connection>();
    private readonly records = new Map<string, Map<string, StoredRecord>>();
    private readonly runner: ActionRunner;
    /** Every request the stand-in answered, as `<method> <path>`: tests count listRecords calls with it. */
    readonly requests: string[] = [];

    constructor(private readonly options: NangoStandInOptions) {
        this.clock = options.clock ?? new VirtualClock();
        this.runner = ({ integration, action, connectionId, input }) =>
            runAction({ integration, name: action, connectionId, input, store: this.store, clock: this.clock });
    }

    addConnection(providerConfigKey: string, connectionId: string, metadata: Record<string, unknown> = {}): void {
        const integration = this.options.integrations[providerConfigKey];
        if (!integration) {
            throw new Error(`stand-in: ${providerConfigKey} is not an integration of this environment`);
        }
        this.connections.set(`${providerConfigKey}/${connectionId}`, {
            providerConfigKey,
            connectionId,
            integration,
            metadata,
            createdAt: new Date(this.clock.now()).toISOString()
        });
    }

    metadataOf(providerConfigKey: string, connectionId: string): Record<string, unknown> | undefined {
        return this.connections.get(`${providerConfigKey}/${connectionId}`)?.metadata;
    }

    private table(providerConfigKey: string, connectionId: string, model: string): Map<string, StoredRecord> {
        const key = `${providerConfigKey}/${connectionId}/${model}`;
        let table = this.records.get(key);
        if (!table) {
            table = new Map();
            this.records.set(key, table);
        }
        return table;
    }

    /** The next write's timestamp: one per batch, as one database transaction gets one `now()`. */
    private tick(): string {
        this.clock.advance(10);
        return nangoTimestamp(this.clock.now());
    }

    /** What a sync's batchSave does: unchanged records keep their timestamp, a saved deleted record comes back. */
    save(providerConfigKey: string, connectionId: string, model: string, payloads: Record<string, unknown>[]): void {
        const table = this.table(providerConfigKey, connectionId, model);
        const now = this.tick();
        for (const payload of payloads) {
            const id = String(payload['id']);
            const known = table.get(id);
            if (!known) {
                table.set(id, {
                    rowId: randomUUID(),
                    updatedMs: this.clock.now(),
                    payload,
                    createdAt: now,
                    updatedAt: now,
                    deletedAt: null
                });
            } else if (known.deletedAt !== null || JSON.stringify(known.payload) !== JSON.stringify(payload)) {
                table.set(id, { ...known, updatedMs: this.clock.now(), payload, updatedAt: now, deletedAt: null });
            }
        }
    }

    /** What batchDelete (or the end of a delete-tracking pass) does: the row stays, marked deleted, payload kept. */
    delete(providerConfigKey: string, connectionId: string, model: string, ids: string[]): void {
        const table = this.table(providerConfigKey, connectionId, model);
        const now = this.tick();
        for (const id of ids) {
            const known = table.get(id);
            if (known && known.deletedAt === null) {
                table.set(id, { ...known, updatedMs: this.clock.now(), updatedAt: now, deletedAt: now });
            }
        }
    }

    /** A reset that empties the cache (full resync with clearing): the rows are gone, not marked deleted. */
    clear(providerConfigKey: string, connectionId: string, model: string): void {
        this.table(providerConfigKey, connectionId, model).clear();
    }

    /** The live records, as a mirror must end up holding them. */
    live(providerConfigKey: string, connectionId: string, model: string): Record<string, unknown>[] {
        return [...this.table(providerConfigKey, connectionId, model).values()]
            .filter((r) => r.deletedAt === null)
            .map((r) => r.payload)
            .sort((a, b) => String(a['id']).localeCompare(String(b['id'])));
    }

    get handlers(): HttpHandler[] {
        return [
            http.get(`${NANGO_HOST}/records`, ({ request }) => this.guard(request, () => this.getRecords(request))),
            http.post(`${NANGO_HOST}/action/trigger`, ({ request }) => this.guard(request, () => this.triggerAction(request))),
            http.post(`${NANGO_HOST}/connections/metadata`, ({ request }) => this.guard(request, () => this.setMetadata(request))),
            http.all(`${NANGO_HOST}/proxy/*`, ({ request }) => this.guard(request, () => this.proxy(request))),
            http.get(`${NANGO_HOST}/connections/:connectionId`, ({ request, params }) =>
                this.guard(request, () => this.getConnection(request, String(params['connectionId'])))
            )
        ];
    }

    private async guard(request: Request, answer: () => Response | Promise<Response>): Promise<Response> {
        const url = new URL(request.url);
        this.requests.push(`${request.method} ${url.pathname}`);
        const header = request.headers.get('authorization');
        const refuse = (code: keyof typeof AUTH_MESSAGES) =>
            HttpResponse.json({ error: { message: AUTH_MESSAGES[code], code, payload: {} } }, { status: 401 });
        if (!header) {
            return refuse('missing_auth_header');
        }
        const secret = header.split('Bearer ').pop();
        if (!secret) {
            return refuse('malformed_auth_header');
        }
        if (!UUID_V4.test(secret)) {
            return refuse('invalid_secret_key_format');
        }
        if (secret !== this.options.secretKey) {
            return refuse('unknown_account');
        }
        return answer();
    }

    private connectionOf(request: Request): Connection | undefined {
        return this.connections.get(`${request.headers.get('provider-config-key')}/${request.headers.get('connection-id')}`);
    }

    private getRecords(request: Request): Response {
        const url = new URL(request.url);
        const query = Object.fromEntries(url.searchParams);
        const allowed = ['model', 'variant', 'delta', 'modified_after', 'limit', 'filter', 'cursor', 'ids'];
        const errors: { path: string[]; message: string }[] = [];
        for (const key of Object.keys(query)) {
            if (!allowed.includes(key)) errors.push({ path: [], message: `Unrecognized key: "${key}"` });
        }
        const model = query['model'] ?? '';
        if (!MODEL.test(model) || model.length > 255) errors.push({ path: ['model'], message: 'Invalid string: must match pattern' });
        const limit = query['limit'] === undefined ? 100 : Number(query['limit']);
        if (!Number.isFinite(limit) || limit < 1 || limit > 10000) errors.push({ path: ['limit'], message: 'Too small or too big' });
        const modifiedAfter = query['modified_after'];
        const yearAgo = this.clock.now() - 365 * 24 * 3600 * 1000;
        if (modifiedAfter !== undefined && (!z.iso.datetime().safeParse(modifiedAfter).success || Date.parse(modifiedAfter) < yearAgo)) {
            errors.push({ path: ['modified_after'], message: 'must be within the last 12 months' });
        }
        const filter = query['filter'] === undefined ? undefined : Filter.safeParse(query['filter']);
        if (filter && !filter.success) errors.push({ path: ['filter'], message: 'Invalid option' });
        const cursor = query['cursor'];
        if (cursor !== undefined && (cursor.length < 1 || cursor.length > 1000))
            errors.push({ path: ['cursor'], message: 'Too small or too big' });
        if (errors.length > 0) {
            return HttpResponse.json({ error: { code: 'invalid_query_params', errors } }, { status: 400 });
        }
        const connection = this.connectionOf(request);
        if (!connection) {
            return HttpResponse.json(
                {
                    error: {
                        code: 'unknown_connection',
                        message: 'Provided ConnectionId and ProviderConfigKey does not match a valid connection'
                    }
                },
                { status: 400 }
            );
        }
        const after = cursor === undefined ? undefined : decodeCursor(cursor);
        if (cursor !== undefined && !after) {
            return HttpResponse.json({ error: { code: 'server_error', message: 'Failed to fetch records' } }, { status: 500 });
        }
        const actions = new Set((filter?.success ? filter.data : []).map((a) => a.toUpperCase()));
        const rows = [...this.table(connection.providerConfigKey, connection.connectionId, model).values()]
            .map((r) => ({ r, action: r.deletedAt !== null ? 'DELETED' : r.createdAt === r.updatedAt ? 'ADDED' : 'UPDATED' }))
            .filter(
                ({ r }) => !after || r.updatedMs > Date.parse(after.sort) || (r.updatedMs === Date.parse(after.sort) && r.rowId > after.id)
            )
            .filter(({ r }) => modifiedAfter === undefined || Date.parse(r.updatedAt) >= Date.parse(modifiedAfter))
            .filter(({ action }) => actions.size === 0 || actions.has(action))
            .sort((a, b) => a.r.updatedMs - b.r.updatedMs || (a.r.rowId < b.r.rowId ? -1 : 1));
        const page = rows.slice(0, limit);
        const records = page.map(({ r, action }) => ({
            ...r.payload,
            _nango_metadata: {
                first_seen_at: r.createdAt,
                last_modified_at: r.updatedAt,
                last_action: action,
                deleted_at: r.deletedAt,
                pruned_at: null,
                cursor: cursorOf(r)
            }
        }));
        const last = page.at(-1);
        return HttpResponse.json({ next_cursor: rows.length > limit && last ? cursorOf(last.r) : null, records });
    }

    private async triggerAction(request: Request): Promise<Response> {
        const body = z.object({ action_name: z.string().min(1), input: z.unknown() }).safeParse(await request.json());
        if (!body.success) {
            return HttpResponse.json({ error: { code: 'invalid_body', errors: body.error.issues } }, { status: 400 });
        }
        const connection = this.connectionOf(request);
        if (!connection) {
            return HttpResponse.json({ error: { code: 'unknown_connection', message: 'Failed to find connection' } }, { status: 400 });
        }
        if (!(await this.hasAction(connection.integration, body.data.action_name))) {
            return HttpResponse.json({ error: { code: 'not_found', message: 'Action not found' } }, { status: 404 });
        }
        const result = await this.runner({
            integration: connection.integration,
            action: body.data.action_name,
            connectionId: connection.connectionId,
            input: body.data.input
        });
        if (result.status === 'success') {
            return HttpResponse.json(result.output as never);
        }
        // The runtime reports a thrown ActionError as action_script_failure; Nango's server answers it as the runner
        // tags it (packages/runner-sdk/lib/errors.ts, packages/shared/lib/utils/error.ts).
        if (result.error.error_type === 'action_script_failure') {
            return HttpResponse.json(
                {
                    error: {
                        message: 'The action script failed with a runtime error',
                        code: 'action_script_runtime_error',
                        payload: result.error.payload
                    }
                },
                { status: 500 }
            );
        }
        if (result.error.error_type === 'script_http_error') {
            return HttpResponse.json({ error: { payload: result.error.payload, code: 'script_http_error' } }, { status: 424 });
        }
        return HttpResponse.json(
            { error: { message: result.error.message, code: result.error.error_type, payload: result.error.payload } },
            { status: 500 }
        );
    }

    private async hasAction(integration: string, action: string): Promise<boolean> {
        const { readEntryPoints } = await import('../../../scripts/nango-folder.js');
        return readEntryPoints().some((e) => e.integration === integration && e.kind === 'actions' && e.name === action);
    }

    private async setMetadata(request: Request): Promise<Response> {
        const raw: unknown = await request.json();
        const body = z
            .object({ connection_id: z.string(), provider_config_key: z.string(), metadata: z.record(z.string(), z.unknown()) })
            .strict()
            .safeParse(raw);
        if (!body.success) {
            return HttpResponse.json({ error: { code: 'invalid_body', errors: body.error.issues } }, { status: 400 });
        }
        const connection = this.connections.get(`${body.data.provider_config_key}/${body.data.connection_id}`);
        if (!connection) {
            return HttpResponse.json(
                {
                    error: {
                        code: 'unknown_connection',
                        message: `Connection with connection id ${body.data.connection_id} and provider config key ${body.data.provider_config_key} not found. Please make sure the connection exists in the Nango dashboard`
                    }
                },
                { status: 404 }
            );
        }
        connection.metadata = body.data.metadata;
        return HttpResponse.json(raw as never, { status: 201 });
    }

    private async proxy(request: Request): Promise<Response> {
        const connectionId = request.headers.get('connection-id');
        const providerConfigKey = request.headers.get('provider-config-key');
        if (!connectionId || !providerConfigKey) {
            return HttpResponse.json(
                { error: { code: 'invalid_headers', errors: [{ path: ['connection-id'], message: 'Required' }] } },
                { status: 400 }
            );
        }
        const connection = this.connections.get(`${providerConfigKey}/${connectionId}`);
        if (!connection) {
            return HttpResponse.json({ error: { code: 'not_found', message: 'Connection not found' } }, { status: 404 });
        }
        const base = getProvider(connection.integration)?.proxy?.base_url;
        if (!base) {
            return HttpResponse.json(
                { error: { code: 'missing_base_api_url', message: 'No base URL for this provider' } },
                { status: 400 }
            );
        }
        const url = new URL(request.url);
        const headers = new Headers({ authorization: 'Bearer test-access-token' });
        request.headers.forEach((value, name) => {
            if (name.startsWith('nango-proxy-')) headers.set(name.slice('nango-proxy-'.length), value);
        });
        const body = ['GET', 'HEAD'].includes(request.method) ? undefined : await request.text();
        const answer = await fetch(`${base}${url.pathname.slice('/proxy'.length)}${url.search}`, {
            method: request.method,
            headers,
            ...(body ? { body } : {})
        });
        return new HttpResponse(await answer.text(), {
            status: answer.status,
            headers: { 'content-type': answer.headers.get('content-type') ?? 'application/json' }
        });
    }

    private getConnection(request: Request, connectionId: string): Response {
        const providerConfigKey = new URL(request.url).searchParams.get('provider_config_key') ?? '';
        const connection = this.connections.get(`${providerConfigKey}/${connectionId}`);
        if (!connection) {
            return HttpResponse.json({ error: { code: 'not_found', message: 'Connection not found' } }, { status: 404 });
        }
        return HttpResponse.json({
            id: 1,
            connection_id: connection.connectionId,
            provider_config_key: connection.providerConfigKey,
            provider: connection.integration,
            metadata: connection.metadata,
            connection_config: {},
            created_at: connection.createdAt,
            updated_at: connection.createdAt,
            last_fetched_at: connection.createdAt,
            credentials: { type: 'OAUTH2', access_token: 'test-access-token', raw: {} }
        });
    }
}
