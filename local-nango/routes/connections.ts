import { getProvider } from '@nangohq/providers';
import { z } from 'zod';
import type { ConnectionRegistry, LocalConnection } from '../connections.js';
import { invalid, json, jsonBody, nangoError, queryObject, type ApiRequest, type ApiResponse } from '../http.js';
import { connectionIdSchema, providerConfigKeySchema } from './schemas.js';

// Shapes and refusals from NangoHQ/nango packages/server/lib: controllers/connection/connectionId/getConnection.ts,
// controllers/connection/connectionId/metadata/{post,patch}Metadata.ts, controllers/integrations/uniqueKey/
// getIntegration.ts, formatters/connection.ts and formatters/integration.ts.

const stringbool = z.enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off']).optional();

const getConnectionQuery = z
    .object({
        provider_config_key: providerConfigKeySchema,
        refresh_token: stringbool,
        force_refresh: stringbool,
        refresh_github_app_jwt_token: stringbool
    })
    .strict();

/** `GET /connection/:id` (the CLI's, deprecated) and `GET /connections/:id` (the node client's): one controller. */
export function getConnection(registry: ConnectionRegistry, req: ApiRequest, connectionId: string): ApiResponse {
    const query = getConnectionQuery.safeParse(queryObject(req.query));
    if (!query.success) return invalid('invalid_query_params', query.error);
    const params = z.object({ connectionId: connectionIdSchema }).safeParse({ connectionId });
    if (!params.success) return invalid('invalid_uri_params', params.error);

    const key = query.data.provider_config_key;
    if (!isIntegration(registry, key)) return nangoError(400, 'unknown_provider_config', 'Provider does not exists');
    const connection = registry.find(key, connectionId);
    if (!connection) return nangoError(404, 'not_found', 'Failed to find connection');
    return json(200, publicConnection(connection, registry.accessToken));
}

/** ApiPublicConnectionFull, with credentials: a secret key carries the read_credentials scope. */
export function publicConnection(connection: LocalConnection, accessToken: string): Record<string, unknown> {
    // retrievedConnectionToPublicApi writes timestamps as ISO with '+00:00' for 'Z'.
    const at = connection.createdAt.replace('Z', '+00:00');
    return {
        id: connection.id,
        connection_id: connection.connectionId,
        provider_config_key: connection.integration,
        provider: connection.integration,
        errors: [],
        end_user: null,
        tags: {},
        metadata: connection.metadata,
        connection_config: connection.connectionConfig,
        webhook_url_override: null,
        created_at: at,
        updated_at: at,
        last_fetched_at: at,
        credentials: {
            type: 'OAUTH2',
            access_token: accessToken,
            raw: { access_token: accessToken, token_type: 'Bearer' }
        }
    };
}

const listQuery = z
    .object({
        connectionId: z.string().min(1).max(255).optional(),
        search: z.string().min(1).max(255).optional(),
        endUserId: z.string().min(1).max(255).optional(),
        integrationId: z.string().min(1).optional(),
        endUserOrganizationId: z.string().min(1).max(255).optional(),
        limit: z.coerce.number().min(1).max(2000).optional(),
        page: z.coerce.number().min(0).optional()
    })
    .strict();

/**
 * `GET /connections` (controllers/connection/getConnections.ts): `{ connections: ApiPublicConnection[] }`. The CLI
 * asks it which integrations a connection id belongs to when `--integration-id` is not given. Local connections
 * have no end user, so a filter on one matches nothing.
 */
export function listConnections(registry: ConnectionRegistry, req: ApiRequest): ApiResponse {
    const query = listQuery.safeParse(queryObject(req.query));
    if (!query.success) return invalid('invalid_query_params', query.error);
    const q = query.data;
    if (q.endUserId !== undefined || q.endUserOrganizationId !== undefined) return json(200, { connections: [] });
    const integrations = q.integrationId?.split(',').map((id) => id.trim());
    const rows = registry.store.db.prepare('SELECT integration, connection_id FROM connections ORDER BY rowid').all() as {
        integration: string;
        connection_id: string;
    }[];
    const found = rows
        .filter(
            (row) =>
                (q.connectionId === undefined || row.connection_id === q.connectionId) &&
                (!integrations || integrations.includes(row.integration))
        )
        .filter((row) => q.search === undefined || row.connection_id.includes(q.search))
        .map((row) => registry.find(row.integration, row.connection_id))
        .filter((connection): connection is LocalConnection => connection !== null);
    const limit = q.limit ?? 10_000;
    const page = found.slice((q.page ?? 0) * limit, ((q.page ?? 0) + 1) * limit);
    return json(200, {
        connections: page.map((connection) => ({
            id: connection.id,
            connection_id: connection.connectionId,
            provider_config_key: connection.integration,
            provider: connection.integration,
            errors: [],
            end_user: null,
            tags: {},
            metadata: connection.metadata,
            created: connection.createdAt
        }))
    });
}

const metadataBody = z
    .object({
        connection_id: z.union([connectionIdSchema, z.array(connectionIdSchema)]),
        provider_config_key: providerConfigKeySchema,
        metadata: z.record(z.string(), z.unknown())
    })
    .strict();

/**
 * `POST /connections/metadata` replaces the metadata (201, echoing the body); `PATCH` merges it at the top level
 * (200, echoing the body). Every named connection must exist, or nothing changes (404 `unknown_connection`).
 */
export function setMetadata(registry: ConnectionRegistry, req: ApiRequest, mode: 'replace' | 'merge'): ApiResponse {
    if ([...req.query.keys()].length > 0) return nangoError(400, 'invalid_query_params', 'no query parameters are accepted');
    const parsed = jsonBody(req);
    if ('error' in parsed) return parsed.error;
    const body = metadataBody.safeParse(parsed.value);
    if (!body.success) return invalid('invalid_body', body.error);

    const { provider_config_key: key, metadata } = body.data;
    const ids = Array.isArray(body.data.connection_id) ? body.data.connection_id : [body.data.connection_id];
    for (const connectionId of ids) {
        if (registry.find(key, connectionId)) continue;
        const base = `Connection with connection id ${connectionId} and provider config key ${key} not found. Please make sure the connection exists in the Nango dashboard`;
        const message = ids.length > 1 ? `${base}. No actions were taken on any of the connections as a result of this failure.` : base;
        return nangoError(404, 'unknown_connection', message);
    }
    for (const connectionId of ids) {
        const conn = { integration: key, connectionId };
        if (mode === 'replace') registry.store.setMetadata(conn, metadata);
        else registry.store.setMetadata(conn, { ...(registry.store.getMetadata(conn) ?? {}), ...metadata });
    }
    return json(mode === 'replace' ? 201 : 200, parsed.value);
}

/** `GET /integrations/:uniqueKey`: `{ data: ApiPublicIntegration }`. */
export function getIntegration(registry: ConnectionRegistry, req: ApiRequest, uniqueKey: string): ApiResponse {
    const query = z
        .object({ include: z.union([z.enum(['webhook', 'credentials']), z.array(z.enum(['webhook', 'credentials']))]).optional() })
        .strict()
        .safeParse(queryObject(req.query));
    if (!query.success) return invalid('invalid_query_params', query.error);
    const params = z.object({ uniqueKey: providerConfigKeySchema }).safeParse({ uniqueKey });
    if (!params.success) return invalid('invalid_uri_params', params.error);
    if (!isIntegration(registry, uniqueKey)) return nangoError(404, 'not_found', `Integration "${uniqueKey}" does not exist`);

    const provider = getProvider(uniqueKey);
    const created = registry.store.kvGet<string>(`local-nango/created/${uniqueKey}/local`) ?? new Date(0).toISOString();
    return json(200, {
        data: {
            unique_key: uniqueKey,
            provider: uniqueKey,
            display_name: provider?.display_name ?? uniqueKey,
            logo: `https://app.nango.dev/images/template-logos/${uniqueKey}.svg`,
            forward_webhooks: true,
            created_at: created,
            updated_at: created
        }
    });
}

function isIntegration(registry: ConnectionRegistry, key: string): boolean {
    return registry.integrations().some((entry) => entry.id === key);
}
