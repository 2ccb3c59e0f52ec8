/**
 * The sync both Salesforce syncs run, one object at a time.
 *
 * Cursor: `SystemModstamp >= since ORDER BY SystemModstamp, Id`. SystemModstamp moves on every change, deletions and
 * undeletions included, and has one-second precision, so many rows share a value. `>` would lose rows written in the
 * second the last run stopped at; `>=` sees them again, and the rows already saved at exactly `since` (kept in the
 * checkpoint with a hash of what was saved) are dropped. A row changed again within that same second has another hash
 * and is saved again. The Id in ORDER BY only makes pages deterministic; it is no cursor, since a row re-saved within
 * the same second keeps its stamp and its Id.
 *
 * Ties past the bound: the remembered set is capped at MAX_SAVED_AT_SINCE rows (the first ones of that second in Id
 * order), because Nango refuses a checkpoint string over 4,000 characters (CHECKPOINT_STRING_VALUE_MAX_LENGTH in
 * NangoHQ/nango packages/shared/lib/services/checkpoints/checkpoints.ts) and the sync would then be stuck for good.
 * A row of that second beyond the cap is not remembered, so the next run reads and saves it again: saves are upserts
 * (an unchanged record is not even counted as updated), so this costs a query page, never a lost or doubled record.
 * It ends as soon as any later change moves `since`. (A mass update of N rows in one second costs up to N re-saves per
 * run until then. A run cut inside that second reads it again from its start next time, so one run must be able to
 * read one second's rows: at 2,000 rows a page, that is minutes even for millions.)
 *
 * Deletions: the query goes to queryAll, which also returns recycle-bin rows (IsDeleted = true, with a fresh
 * SystemModstamp); once something is cached they are batchDeleted (the very first run steps over them, and a resync
 * removes only those stamped since it began, see Pages; the cursor passes them all). Deletions during a run land
 * after the run's snapshot and are seen by the next run.
 * A deleted record leaves the recycle bin for good after 15 days, or when an admin empties it; Salesforce's deletion
 * log (sobjects/{Type}/deleted) reports the newest such removal as earliestDateAvailable. The checkpoint keeps
 * `deletionsSeenBefore`: every deletion stamped before it has been seen. When earliestDateAvailable is at or after
 * it, deletions may have been missed and the run resyncs: a full read of live rows inside
 * trackDeletesStart/trackDeletesEnd, so whatever was not seen is removed. Deletions before `since` were all read, but
 * one in the very second `since` names was read only if that second was over when the read began: a row deleted in
 * it afterwards, once purged, leaves exactly earliestDateAvailable = since behind. So a read that began after the
 * second `since` moves the mark to since + 1 s, one that began within it leaves it at since, and a finished resync
 * moves it to the second the resync began (it accounted for everything older). The mark only moves forward, so the
 * purge a resync accounted for never starts another one.
 *
 * Pages: up to 2,000 rows; each page is saved, then the checkpoint; an interrupted run resumes from it with a new
 * query (a query locator lives minutes on the server and is never stored). The next page is requested while one is
 * saved (pages.ts), so the read does not wait a round trip per page; saves and checkpoints keep their order. An interrupted or failed resync starts
 * over, since its deletion tracking must cover one complete read. Its trackDeletes window does not start over: Nango
 * keeps it open across executions until trackDeletesEnd, so what the earlier attempt saved still counts as seen. A
 * record that attempt saved and that was deleted before the new one reads it only as IsDeleted, so a resync removes
 * every deleted row stamped since the window opened (`resyncStartedAt`, checkpointed before the first page).
 */
import { createHash } from 'crypto';
import type { NangoSync } from 'nango';
import { z } from 'zod';
import { dataPath, READ_RETRIES, withSessionRetry } from './api.js';
import { queryableFields, reusableDescribe, type Described } from './describe.js';
import { hasErrorCode, SalesforceLimitError, SalesforceRequestError } from './errors.js';
import { readSalesforceSettings } from './metadata.js';
import { sendSalesforceQuery, type SalesforceQuery } from './pages.js';
import { SalesforceDeletedResponse } from './schemas.js';
import { buildSelect, parseIsoDateTime, soqlDateTime, where, type Condition } from './soql.js';

const PHASES = ['incremental', 'resync'] as const;

/**
 * Nango's checkpoint type takes only plain string, number and boolean fields (runner-sdk's ZodCheckpoint), so the
 * declared schema limits `phase` with a pattern, and reads parse it as the enum (ReadCheckpoint): a phase this code
 * never writes makes the checkpoint unreadable (a logged resync), never an incremental run by default.
 */
export const SalesforceSyncCheckpoint = z.object({
    /** `incremental`, or `resync` while a full read with deletion tracking is under way. */
    phase: z.string().regex(new RegExp(`^(?:${PHASES.join('|')})$`)),
    /** SystemModstamp (ISO 8601) of the last row saved; '' means from the beginning. */
    since: z.string(),
    /** The rows already saved at exactly `since`, as `id:hash` joined by commas (at most MAX_SAVED_AT_SINCE, 4,000 chars). */
    savedAtSince: z.string(),
    /** The fields queried, comma-joined: when the org's field set changes, everything is read again. */
    fields: z.string(),
    /** ISO 8601: every deletion stamped before it has been seen (see the top of this file); '' means only before `since`. */
    deletionsSeenBefore: z.string(),
    /** ISO 8601 second the open resync's trackDeletes window opened; '' outside a resync. */
    resyncStartedAt: z.string(),
    /** HTTP-date sent as If-Modified-Since with the next describe, so a 304 reuses `fields` (see describe.ts); '' for none. */
    describedAt: z.string(),
    /** Which describe `fields` answers: the API version and the model's field list, hashed (see describe.ts). */
    describedFor: z.string()
});
export type SalesforceSyncCheckpoint = z.infer<typeof SalesforceSyncCheckpoint>;
const ReadCheckpoint = SalesforceSyncCheckpoint.extend({ phase: z.enum(PHASES) });

/** Nango's cap on a checkpoint's string value (see the top of this file). */
const CHECKPOINT_STRING_MAX = 4000;
/** One `id:hash` entry and its comma: an 18-character id, a colon, a 12-character hash. */
const SAVED_ENTRY_MAX = 18 + 1 + 12 + 1;
/** Rows remembered at the boundary (125); further rows of that second are simply saved again next run. */
export const MAX_SAVED_AT_SINCE = Math.floor((CHECKPOINT_STRING_MAX + 1) / SAVED_ENTRY_MAX);

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

type CursorRow = { Id: string; IsDeleted: boolean; SystemModstamp: string };

export interface ObjectSyncSpec<Row extends CursorRow, Model extends { id: string }> {
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
    trackDeletesStart(model: string): Promise<void> | void;
    trackDeletesEnd(model: string): unknown;
}

/** What a run does with deleted rows: the first run and a resync step over them, later runs delete them. */
type Mode = 'first' | 'incremental' | 'resync';

interface Position {
    mode: Mode;
    since: string;
    saved: Map<string, string>;
    described: Described;
    /** Deletions stamped before this were all seen (ms; -Infinity when nothing is known). */
    deletionsSeenBefore: number;
    /** A resync's: when its trackDeletes window opened (ms), or null when it is yet to open. */
    resyncStartedMs: number | null;
}

/**
 * One run: the calls that decide where it starts (describe, the deletion log) go out together with the query the
 * last checkpoint predicts, so the first page usually waits one round trip, not three. When the prediction was wrong
 * (the org's fields changed, a resync is due, a first run in an org that lacks one of our fields), its answer is
 * dropped and the right query sent: one call more, no time lost.
 */
export async function syncSalesforceObject<Row extends CursorRow, Model extends { id: string }>(
    nango: SyncCaller,
    spec: ObjectSyncSpec<Row, Model>
): Promise<void> {
    const modifiedSince = await readModifiedSince(nango);
    try {
        const last = readLastRun(await nango.getCheckpoint());
        const predicted = sendQuery(nango, spec, predictedFields(spec, last), predictedSince(last, modifiedSince));
        let query = predicted;
        try {
            const start = await startingPoint(nango, spec, last, modifiedSince);
            if (predicted.soql !== soqlFor(spec, start.described.fields, start.since)) {
                await predicted.settled();
                query = sendQuery(nango, spec, start.described.fields, start.since);
            }
            await read(nango, spec, start, query);
        } finally {
            await predicted.settled();
            await query.settled();
        }
    } catch (error) {
        if (!(error instanceof SalesforceLimitError)) throw error;
        await nango.log(
            `Salesforce's daily API request limit is exhausted (REQUEST_LIMIT_EXCEEDED on ${error.what}): the ${spec.object} sync stops here and the next run continues from the last checkpoint`,
            { level: 'error' }
        );
    }
}

/** The metadata's modifiedSince ('' for none); bad metadata fails the run before any call (see metadata.ts). */
async function readModifiedSince(nango: SyncCaller): Promise<string> {
    const settings = readSalesforceSettings(await nango.getMetadata());
    if (!settings.ok) throw new Error(settings.problem);
    return settings.value.modifiedSince;
}

/** What the last run left: nothing, a checkpoint this code cannot read, or one it can. */
type LastRun = { kind: 'none' } | { kind: 'unreadable' } | { kind: 'read'; checkpoint: z.infer<typeof ReadCheckpoint> };

function readLastRun(raw: unknown): LastRun {
    if (raw === null || raw === undefined) return { kind: 'none' };
    // Checkpoints saved before these fields existed read as '' (nothing known beyond `since`), not as unreadable.
    const defaults = { deletionsSeenBefore: '', resyncStartedAt: '', describedAt: '', describedFor: '' };
    const checkpoint = ReadCheckpoint.safeParse(typeof raw === 'object' ? { ...defaults, ...raw } : raw);
    if (!checkpoint.success || (checkpoint.data.since !== '' && parseIsoDateTime(checkpoint.data.since) === null))
        return { kind: 'unreadable' };
    return { kind: 'read', checkpoint: checkpoint.data };
}

/** The fields the last run queried (only names of ours), or all of ours. */
function predictedFields<Row extends CursorRow, Model extends { id: string }>(
    spec: ObjectSyncSpec<Row, Model>,
    last: LastRun
): readonly string[] {
    if (last.kind !== 'read') return spec.fields;
    const names = new Set(last.checkpoint.fields.split(','));
    return spec.fields.filter((f) => names.has(f));
}

function predictedSince(last: LastRun, modifiedSince: string): string {
    return last.kind === 'read' && last.checkpoint.phase === 'incremental' ? last.checkpoint.since : modifiedSince;
}

function soqlFor<Row extends CursorRow, Model extends { id: string }>(
    spec: ObjectSyncSpec<Row, Model>,
    fields: readonly string[],
    since: string
): string {
    const conditions: Condition[] = [];
    // `>=`, never `>`: rows that share the last stamp would be lost (see the top of this file).
    if (since !== '') conditions.push(where('SystemModstamp', '>=', soqlDateTime(since)));
    return buildSelect({
        fields: [...fields],
        from: spec.object,
        where: conditions,
        orderBy: [{ field: 'SystemModstamp' }, { field: 'Id' }]
    });
}

function sendQuery<Row extends CursorRow, Model extends { id: string }>(
    nango: SyncCaller,
    spec: ObjectSyncSpec<Row, Model>,
    fields: readonly string[],
    since: string
): SalesforceQuery {
    return sendSalesforceQuery(nango, soqlFor(spec, fields, since), { includeDeleted: true });
}

async function startingPoint<Row extends CursorRow, Model extends { id: string }>(
    nango: SyncCaller,
    spec: ObjectSyncSpec<Row, Model>,
    last: LastRun,
    modifiedSince: string
): Promise<Position> {
    const checkpoint = last.kind === 'read' ? last.checkpoint : null;
    const sinceMs = checkpoint && checkpoint.since !== '' ? parseIsoDateTime(checkpoint.since)! : -Infinity;
    // A mark in the future cannot be true: it would silence the check for good.
    const mark = Math.min(parseIsoDateTime(checkpoint?.deletionsSeenBefore ?? '') ?? -Infinity, Date.now());
    const deletionsSeenBefore = Math.max(sinceMs, mark);
    const earlier = checkpoint ? reusableDescribe(spec.object, spec.fields, checkpoint) : null;
    const checkDeletions = checkpoint?.phase === 'incremental' && checkpoint.since !== '';
    // Both at once; neither outlives this function, whichever fails.
    const [describedOutcome, lostOutcome] = await Promise.allSettled([
        queryableFields(nango, spec.object, spec.fields, earlier),
        checkDeletions ? deletionsMayBeLost(nango, spec.object, deletionsSeenBefore) : Promise.resolve(null)
    ]);
    if (describedOutcome.status === 'rejected') throw describedOutcome.reason;
    if (lostOutcome.status === 'rejected') throw lostOutcome.reason;
    const described = describedOutcome.value;
    const fields = described.fields.join(',');

    const fresh = {
        since: modifiedSince,
        saved: new Map<string, string>(),
        described,
        deletionsSeenBefore: -Infinity,
        resyncStartedMs: null
    };
    if (last.kind === 'none') return { mode: 'first', ...fresh };
    const resync = async (why: string, startedMs: number | null = null): Promise<Position> => {
        await nango.log(`${why}: reading every ${spec.object} again and removing the ones no longer there`, { level: 'warn' });
        return { mode: 'resync', ...fresh, resyncStartedMs: startedMs };
    };
    if (!checkpoint) return resync('The saved checkpoint is unreadable');
    if (checkpoint.phase === 'resync') return resync('The previous resync was interrupted', parseIsoDateTime(checkpoint.resyncStartedAt));
    if (checkpoint.fields !== fields) return resync(`The queryable fields changed (${checkpoint.fields} -> ${fields})`);
    if (lostOutcome.value) return resync(lostOutcome.value);
    return {
        mode: 'incremental',
        since: checkpoint.since,
        saved: parseSaved(checkpoint.savedAtSince),
        described,
        deletionsSeenBefore,
        resyncStartedMs: null
    };
}

/**
 * Why deletions at or after `seenBeforeMs` may be gone from queryAll (records physically removed from the recycle
 * bin), or null.
 * One call to Salesforce's deletion log; only its earliestDateAvailable matters, the ids come from queryAll.
 */
async function deletionsMayBeLost(nango: SyncCaller, object: string, seenBeforeMs: number): Promise<string | null> {
    const now = Date.now();
    // The log answers for at most 30 days back, and start must precede end by more than a minute.
    const start = Math.max(Math.min(seenBeforeMs, now - 2 * MINUTE), now - 29 * DAY);
    const params = { start: replicationDate(start), end: replicationDate(now) };
    let response;
    try {
        response = await withSessionRetry(nango, `GET sobjects/${object}/deleted`, () =>
            // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_getdeleted.htm
            nango.get({ endpoint: dataPath(`sobjects/${object}/deleted/`), params, retries: READ_RETRIES })
        );
    } catch (error) {
        if (error instanceof SalesforceRequestError && hasErrorCode(error.failure, 'INVALID_REPLICATION_DATE')) {
            return `Salesforce cannot list ${object} deletions since the last sync (INVALID_REPLICATION_DATE)`;
        }
        throw error;
    }
    const earliest = parseIsoDateTime(SalesforceDeletedResponse.parse(response.data).earliestDateAvailable);
    // `>=`: a deletion stamped in that very second may not have been read (see the top of this file).
    if (earliest !== null && earliest >= seenBeforeMs) {
        return `${object} records deleted after the last sync point (${new Date(seenBeforeMs).toISOString()}) were removed from the recycle bin for good (earliestDateAvailable ${new Date(earliest).toISOString()})`;
    }
    return null;
}

/** getDeleted's date form, e.g. 2026-01-15T12:00:00+00:00. */
function replicationDate(ms: number): string {
    return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', '+00:00');
}

async function read<Row extends CursorRow, Model extends { id: string }>(
    nango: SyncCaller,
    spec: ObjectSyncSpec<Row, Model>,
    start: Position,
    query: SalesforceQuery
): Promise<void> {
    const phase = start.mode === 'resync' ? 'resync' : 'incremental';

    // Every row written after this second's start that the read does not return carries a stamp at or after it.
    const readStartedMs = Math.floor(query.sentAt / 1000) * 1000;
    // A window opened by an earlier attempt is still open (see the top of this file): keep its time.
    let resyncStartedMs = start.mode === 'resync' ? (start.resyncStartedMs ?? readStartedMs) : null;
    let seenBefore = start.deletionsSeenBefore;
    let since = start.since;
    let sinceMs = since === '' ? -Infinity : (parseIsoDateTime(since) ?? -Infinity);
    // Rows at the newest stamp so far: the saved record (or null for a deletion), hashed when checkpointed.
    let atSince = new Map<string, Model | null>();
    const carried = start.saved;
    const checkpoint = (): SalesforceSyncCheckpoint => {
        const saved = [...carried.entries(), ...[...atSince].map(([id, record]): [string, string] => [id, fingerprint(record)])];
        return {
            phase,
            since,
            savedAtSince: saved.map(([id, hash]) => `${id}:${hash}`).join(','),
            fields: start.described.fields.join(','),
            deletionsSeenBefore: isoOrEmpty(Math.max(seenBefore, readStartedMs > sinceMs ? sinceMs + 1000 : sinceMs)),
            resyncStartedAt: resyncStartedMs === null ? '' : isoOrEmpty(resyncStartedMs),
            describedAt: start.described.describedAt,
            describedFor: start.described.describedFor
        };
    };
    if (start.mode === 'resync') {
        await nango.trackDeletesStart(spec.model);
        // Before any save, so a later attempt knows the window's age even if this one fails on its first page.
        await nango.saveCheckpoint(checkpoint());
    } else if (start.mode === 'first') {
        // Before any save too: a first run that dies after a save and before its page checkpoint must leave the next
        // run an incremental one, which removes what it saved and Salesforce deleted since (found by the chaos
        // campaign: npm run chaos -- --only salesforce-leads --seed 4140377463).
        await nango.saveCheckpoint(checkpoint());
    }

    for await (const rows of query.pages()) {
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
            // Nothing of this first run is cached yet (an earlier attempt's saves make the next run incremental). A
            // resync removes what it did not see at trackDeletesEnd, and
            // itself what an earlier attempt of it may have saved before the deletion.
            else if (start.mode === 'incremental' || (resyncStartedMs !== null && stampMs >= resyncStartedMs)) remove.push({ id: row.Id });
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
        await nango.saveCheckpoint(checkpoint());
    }
    if (start.mode === 'resync') {
        // Only after one complete read: what it did not see is gone from Salesforce.
        await nango.trackDeletesEnd(spec.model);
        // Nothing older than the read is missing now, purged deletions included (see the top of this file).
        seenBefore = Math.max(seenBefore, readStartedMs);
        resyncStartedMs = null;
        await nango.saveCheckpoint({ ...checkpoint(), phase: 'incremental' });
    }
}

function isoOrEmpty(ms: number): string {
    return Number.isFinite(ms) ? new Date(ms).toISOString() : '';
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
        if (saved.size >= MAX_SAVED_AT_SINCE) break;
        if (id && hash && /^[A-Za-z0-9]{15,18}$/.test(id)) saved.set(id, hash);
    }
    return saved;
}
