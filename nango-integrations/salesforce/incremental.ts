/**
 * The incremental sync both Salesforce syncs run, one object at a time.
 *
 * Cursor: `SystemModstamp >= since ORDER BY SystemModstamp, Id`. SystemModstamp moves on every change, deletions and
 * undeletions included, and has one-second precision, so many rows share a value. `>` would lose rows written in the
 * second the last run stopped at; `>=` sees them again, and the rows already saved at exactly `since` (kept in the
 * checkpoint with a hash of what was saved) are dropped. A row changed again within that same second has another hash
 * and is saved again.
 *
 * Deletions: once a checkpoint exists the query goes to queryAll, which also returns recycle-bin rows
 * (IsDeleted = true, with a fresh SystemModstamp); those are batchDeleted. Deletions during a run land after the
 * run's snapshot and are seen by the next run. The very first run reads live rows only: nothing is cached to delete.
 *
 * Pages: up to 2,000 rows; each page is saved, then the checkpoint; an interrupted run resumes from it with a new
 * query (a query locator lives minutes on the server and is never stored).
 */
import { createHash } from 'crypto';
import type { NangoSync } from 'nango';
import { z } from 'zod';
import { dataPath, READ_RETRIES, withSessionRetry } from './api.js';
import { SalesforceLimitError } from './errors.js';
import { CURSOR_FIELDS } from './fields.js';
import { salesforceQueryPages } from './pages.js';
import { SalesforceDescribe } from './schemas.js';
import { buildSelect, parseIsoDateTime, soqlBoolean, soqlDateTime, where, type Condition } from './soql.js';

export const SalesforceSyncCheckpoint = z.object({
    /** SystemModstamp (ISO 8601) of the last row saved; '' means from the beginning. */
    since: z.string(),
    /** The rows already saved at exactly `since`, as `id:hash` joined by commas (at most MAX_SAVED_AT_SINCE). */
    savedAtSince: z.string(),
    /** The fields queried, comma-joined: when the org's field set changes, everything is read again. */
    fields: z.string()
});
export type SalesforceSyncCheckpoint = z.infer<typeof SalesforceSyncCheckpoint>;

export const SalesforceSyncMetadata = z.object({
    /** ISO 8601 date or date-time: a first run reads only records changed at or after it. */
    modifiedSince: z.string().optional()
});

/** Rows remembered at the boundary; beyond this, further rows of that second are simply saved again next run. */
export const MAX_SAVED_AT_SINCE = 1000;

export interface ObjectSyncSpec<Row extends { Id: string; IsDeleted: boolean; SystemModstamp: string }, Model extends { id: string }> {
    object: 'Lead' | 'Opportunity';
    model: string;
    fields: readonly string[];
    row: z.ZodType<Row>;
    toModel: (row: Row) => Model;
}

export interface SyncCaller {
    get: NangoSync['get'];
    log: NangoSync['log'];
    getMetadata(): Promise<unknown>;
    getCheckpoint(): Promise<unknown>;
    saveCheckpoint(checkpoint: SalesforceSyncCheckpoint): Promise<void>;
    batchSave(records: Record<string, unknown>[], model: string): Promise<boolean> | boolean;
    batchDelete(records: { id: string }[], model: string): Promise<boolean> | boolean;
}

export async function syncSalesforceObject<
    Row extends { Id: string; IsDeleted: boolean; SystemModstamp: string },
    Model extends { id: string }
>(nango: SyncCaller, spec: ObjectSyncSpec<Row, Model>): Promise<void> {
    const modifiedSince = await readModifiedSince(nango);
    try {
        const fields = await queryableFields(nango, spec);
        const state = await startingPoint(nango, fields.join(','), modifiedSince);
        await readChanges(nango, spec, fields, state);
    } catch (error) {
        if (!(error instanceof SalesforceLimitError)) throw error;
        await nango.log(
            `Salesforce's daily API request limit is exhausted (REQUEST_LIMIT_EXCEEDED on ${error.what}): the ${spec.object} sync stops here and the next run continues from the last checkpoint`,
            { level: 'error' }
        );
    }
}

async function readModifiedSince(nango: SyncCaller): Promise<string> {
    const metadata = SalesforceSyncMetadata.safeParse((await nango.getMetadata()) ?? {});
    if (!metadata.success)
        throw new Error(`Invalid connection metadata for the Salesforce syncs: ${metadata.error.issues[0]?.message ?? 'unreadable'}`);
    const value = metadata.data.modifiedSince;
    if (value === undefined || value === '') return '';
    const ms = parseIsoDateTime(value);
    if (ms === null)
        throw new Error(`Connection metadata modifiedSince must be an ISO 8601 date or date-time, got ${JSON.stringify(value)}`);
    return new Date(ms).toISOString();
}

/** The model's fields this org has, asked once per run; the ones it lacks stay null in the cache. */
async function queryableFields<Row extends { Id: string; IsDeleted: boolean; SystemModstamp: string }, Model extends { id: string }>(
    nango: SyncCaller,
    spec: ObjectSyncSpec<Row, Model>
): Promise<string[]> {
    // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_sobject_describe.htm
    const response = await withSessionRetry(nango, `GET sobjects/${spec.object}/describe`, () =>
        nango.get({ endpoint: dataPath(`sobjects/${spec.object}/describe`), retries: READ_RETRIES })
    );
    const present = new Set(SalesforceDescribe.parse(response.data).fields.map((f) => f.name));
    const cursorMissing = CURSOR_FIELDS.filter((f) => !present.has(f));
    if (cursorMissing.length > 0)
        throw new Error(`The ${spec.object} object has no ${cursorMissing.join(', ')}: it cannot be synced incrementally`);
    const missing = spec.fields.filter((f) => !present.has(f));
    if (missing.length > 0) {
        await nango.log(
            `This org's ${spec.object} has no ${missing.join(', ')}: ${missing.length === 1 ? 'it is' : 'they are'} stored as null`,
            { level: 'warn' }
        );
    }
    return spec.fields.filter((f) => present.has(f));
}

interface Position {
    since: string;
    saved: Map<string, string>;
    fields: string;
    /** Whether the recycle bin is read too (every run but the very first). */
    includeDeleted: boolean;
}

async function startingPoint(nango: SyncCaller, fields: string, modifiedSince: string): Promise<Position> {
    const raw = await nango.getCheckpoint();
    if (raw === null || raw === undefined) return { since: modifiedSince, saved: new Map(), fields, includeDeleted: false };
    const checkpoint = SalesforceSyncCheckpoint.safeParse(raw);
    const since = checkpoint.success ? checkpoint.data.since : '';
    if (!checkpoint.success || (since !== '' && parseIsoDateTime(since) === null)) {
        await nango.log('The saved checkpoint is unreadable: reading everything again', { level: 'warn' });
        return { since: modifiedSince, saved: new Map(), fields, includeDeleted: true };
    }
    if (checkpoint.data.fields !== fields) {
        // Records saved before lack the fields that appeared (or carry ones that went): read them all again.
        await nango.log(`The queryable fields changed (${checkpoint.data.fields} -> ${fields}): reading everything again`, {
            level: 'warn'
        });
        return { since: modifiedSince, saved: new Map(), fields, includeDeleted: true };
    }
    return { since, saved: parseSaved(checkpoint.data.savedAtSince), fields, includeDeleted: true };
}

async function readChanges<Row extends { Id: string; IsDeleted: boolean; SystemModstamp: string }, Model extends { id: string }>(
    nango: SyncCaller,
    spec: ObjectSyncSpec<Row, Model>,
    fields: string[],
    start: Position
): Promise<void> {
    const conditions: Condition[] = [];
    // `>=`, never `>`: rows that share the last stamp would be lost (see the top of this file).
    if (start.since !== '') conditions.push(where('SystemModstamp', '>=', soqlDateTime(start.since)));
    if (!start.includeDeleted) conditions.push(where('IsDeleted', '=', soqlBoolean(false)));
    const soql = buildSelect({
        fields,
        from: spec.object,
        where: conditions,
        orderBy: [{ field: 'SystemModstamp' }, { field: 'Id' }]
    });

    let since = start.since;
    let sinceMs = since === '' ? -Infinity : (parseIsoDateTime(since) ?? -Infinity);
    // Rows at the newest stamp so far: the saved record (or null for a deletion), hashed only when checkpointed.
    let atSince = new Map<string, Model | null>();
    const carried = start.saved;

    for await (const rows of salesforceQueryPages(nango, soql, { includeDeleted: start.includeDeleted })) {
        const save: Model[] = [];
        const remove: { id: string }[] = [];
        for (const raw of rows) {
            const row = spec.row.parse(raw);
            const record = row.IsDeleted ? null : spec.toModel(row);
            const stampMs = parseIsoDateTime(row.SystemModstamp);
            if (stampMs === null)
                throw new Error(`Salesforce sent ${spec.object} ${row.Id} with an unreadable SystemModstamp ${row.SystemModstamp}`);
            if (stampMs === sinceMs && carried.get(row.Id) === fingerprint(record)) continue;
            if (record) save.push(record);
            else remove.push({ id: row.Id });
            if (stampMs > sinceMs) {
                since = new Date(stampMs).toISOString();
                sinceMs = stampMs;
                atSince = new Map();
                carried.clear();
            }
            carried.delete(row.Id);
            if (carried.size + atSince.size < MAX_SAVED_AT_SINCE) atSince.set(row.Id, record);
        }
        await nango.batchSave(save, spec.model);
        await nango.batchDelete(remove, spec.model);
        const savedAtSince = [...carried.entries(), ...[...atSince].map(([id, record]): [string, string] => [id, fingerprint(record)])];
        await nango.saveCheckpoint({
            since,
            savedAtSince: savedAtSince.map(([id, hash]) => `${id}:${hash}`).join(','),
            fields: start.fields
        });
    }
}

/** What was saved for a row: a short hash of the cached record, or `D` for a deletion. */
function fingerprint(record: Record<string, unknown> | null): string {
    if (record === null) return 'D';
    return createHash('sha256').update(JSON.stringify(record)).digest('base64').slice(0, 12);
}

function parseSaved(text: string): Map<string, string> {
    const saved = new Map<string, string>();
    for (const entry of text.split(',')) {
        const [id, hash] = entry.split(':');
        if (id && hash && /^[A-Za-z0-9]{15,18}$/.test(id)) saved.set(id, hash);
    }
    return saved;
}
