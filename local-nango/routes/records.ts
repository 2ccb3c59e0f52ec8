import { z } from 'zod';
import { InvalidRecordsQueryError, type CachedRecord } from '../../runtime/records-store.js';
import type { ConnectionRegistry } from '../connections.js';
import { header, invalid, json, nangoError, queryObject, type ApiRequest, type ApiResponse } from '../http.js';
import { connectionIdSchema, modelSchema, providerConfigKeySchema } from './schemas.js';

// `GET /records`: packages/server/lib/controllers/records/getRecords.ts in NangoHQ/nango. Its query rules (a
// `modified_after` within the last 12 months, 1 ≤ limit ≤ 10000, at most 100 `ids` of up to 256 characters) and
// refusals; the page itself is the runtime's RecordsStore, which already answers in the records API's shape.

const LOOKBACK_MS = 365 * 24 * 60 * 60 * 1000;
const withinLookback = (now: () => number) =>
    z.iso.datetime().refine((value) => new Date(value).getTime() >= now() - LOOKBACK_MS, { message: 'must be within the last 12 months' });

const recordsQuery = (now: () => number) =>
    z
        .object({
            model: modelSchema,
            variant: z
                .string()
                .regex(/^[a-zA-Z0-9_-]+$/)
                .max(255)
                .optional(),
            delta: withinLookback(now).optional(),
            modified_after: withinLookback(now).optional(),
            limit: z.coerce.number().min(1).max(10000).optional(),
            filter: z
                .string()
                .transform((value) => value.split(','))
                .pipe(z.array(z.enum(['added', 'updated', 'deleted', 'ADDED', 'UPDATED', 'DELETED'])))
                .transform((value) => value.join(','))
                .optional(),
            cursor: z.string().min(1).max(1000).optional(),
            ids: z
                .union([z.string().min(1).max(256), z.array(z.string().min(1).max(256)).max(100)])
                .transform((value) => (Array.isArray(value) ? value : [value]))
                .optional()
        })
        .strict();

const recordsHeaders = z.object({ 'connection-id': connectionIdSchema, 'provider-config-key': providerConfigKeySchema }).strict();

export function getRecords(registry: ConnectionRegistry, req: ApiRequest): ApiResponse {
    const query = recordsQuery(() => registry.clock.now()).safeParse(queryObject(req.query));
    if (!query.success) return invalid('invalid_query_params', query.error);
    const headers = recordsHeaders.safeParse({
        'connection-id': header(req, 'connection-id'),
        'provider-config-key': header(req, 'provider-config-key')
    });
    if (!headers.success) return invalid('invalid_headers', headers.error);

    const connection = registry.find(headers.data['provider-config-key'], headers.data['connection-id']);
    if (!connection) {
        return nangoError(400, 'unknown_connection', 'Provided ConnectionId and ProviderConfigKey does not match a valid connection');
    }
    const q = query.data;
    const model = q.variant && q.variant !== 'base' ? `${q.model}::${q.variant}` : q.model;
    const base = {
        integration: connection.integration,
        connectionId: connection.connectionId,
        model,
        modifiedAfter: q.delta ?? q.modified_after,
        filter: q.filter
    };
    try {
        const now = registry.clock.now();
        if (!q.ids) return json(200, pageOf(registry.store.listRecords({ ...base, limit: q.limit, cursor: q.cursor }), now));
        return json(200, pageOf(byIds(registry, base, new Set(q.ids), q.limit ?? 100, q.cursor), now));
    } catch (err) {
        // Nango answers a cursor it cannot decode, like any failed read, with a 500 (records.getRecords fails).
        if (err instanceof InvalidRecordsQueryError) return nangoError(500, 'server_error', 'Failed to fetch records');
        throw err;
    }
}

/** The `ids` filter: the same pages, holding only the named records (Nango filters by external id in SQL). */
function byIds(
    registry: ConnectionRegistry,
    base: Parameters<ConnectionRegistry['store']['listRecords']>[0],
    ids: Set<string>,
    limit: number,
    cursor: string | undefined
): { records: CachedRecord[]; next_cursor: string | null } {
    const records: CachedRecord[] = [];
    let next: string | null | undefined = cursor;
    do {
        const page = registry.store.listRecords({ ...base, limit: 10_000, cursor: next ?? undefined });
        for (const record of page.records) {
            if (!ids.has(record.id)) continue;
            records.push(record);
            if (records.length === limit) return { records, next_cursor: record._nango_metadata.cursor };
        }
        next = page.next_cursor;
    } while (next);
    return { records, next_cursor: null };
}

/** Nango's answer puts `next_cursor` first. */
function pageOf(
    page: { records: CachedRecord[]; next_cursor: string | null },
    now: number
): { next_cursor: string | null; records: (CachedRecord | PrunedRecord)[] } {
    return { next_cursor: page.next_cursor ?? null, records: page.records.map((record) => pruned(record, now)) };
}

/** Nango prunes the payload of a record not updated for 30 days (docs/guides/platform/limits.mdx, "Payload pruning"). */
export const PRUNE_AFTER_MS = 30 * 24 * 60 * 60 * 1000;

export interface PrunedRecord {
    id: string;
    _nango_metadata: CachedRecord['_nango_metadata'] & { pruned_at: string };
}

/**
 * A record as Nango's cache holds it at `now`. Nango's pruning job (packages/records/lib/stores/postgres/postgres.ts,
 * deleteRecords mode 'prune') empties the payload of records whose `updated_at` is older than 30 days and sets
 * `pruned_at`, leaving `updated_at`, so the cursor and `last_modified_at` stay; the records API then answers the
 * empty payload with `id` (the external id) and `_nango_metadata`, `pruned_at` set (getRecords). The data hash is kept,
 * so a later save of the same payload counts as unchanged; on Nango that save writes the payload back and clears
 * `pruned_at` without moving `updated_at` (its trigger fires on a hash change only: migrations
 * 20240327151027_create_records_table.ts). Here the payload is dropped on the way out, from the moment the record
 * becomes eligible (Nango's job runs later; a record pruned later reads the same), and an unchanged re-save does not
 * bring it back: the local store keeps no time of its last write.
 */
export function pruned(record: CachedRecord, now: number): CachedRecord | PrunedRecord {
    const meta = record._nango_metadata;
    const eligibleAt = new Date(meta.last_modified_at).getTime() + PRUNE_AFTER_MS;
    if (meta.pruned_at !== null || eligibleAt > now) return record;
    return { id: record.id, _nango_metadata: { ...meta, pruned_at: new Date(eligibleAt).toISOString() } };
}
