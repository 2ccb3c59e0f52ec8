/**
 * What the events sync asks of the records cache beyond saving: which recurring events are live there, and deleting
 * the cached events of one calendar, all of them or those a full listing did not see.
 *
 * `trackDeletesStart/End` works per model, across every calendar, so it cannot clean up one calendar after a 410.
 * Instead a resync remembers the ids it saw (a 52-bit hash each: 8 bytes per event, about 0.8 MB for 100,000) and then
 * walks the cache with `listRecords`, deleting that calendar's records it did not see. The walk reads the whole cache
 * (Nango's records API, not Google's quota) and happens only after a 410, a lost checkpoint or a removed calendar.
 */
import type { NangoSync } from 'nango';
import type { GoogleCalendarEvent } from '../../models.js';
import { eventRecordId } from './mappers.js';

type Cache = Pick<NangoSync, 'listRecords' | 'getRecordsByIds' | 'batchDelete' | 'log'>;

const MODEL = 'GoogleCalendarEvent';
const DELETE_BATCH = 500;

function fnv1a(text: string, basis: number): number {
    let hash = basis;
    for (let i = 0; i < text.length; i += 1) {
        hash ^= text.charCodeAt(i);
        hash = Math.imul(hash, 0x01000193);
    }
    return hash >>> 0;
}

/** 52 bits from two FNV-1a hashes: an unseen id passes for one of N seen ids with probability N / 2^52 (2e-11 for 100,000). */
function hash52(text: string): number {
    return (fnv1a(text, 0x811c9dc5) & 0xfffff) * 0x100000000 + fnv1a(text, 0x050c5d1f);
}

/** Record ids seen during a listing, compactly. */
export class SeenIds {
    private readonly hashes: number[] = [];
    private sorted: Float64Array | null = null;

    add(recordId: string): void {
        this.hashes.push(hash52(recordId));
        this.sorted = null;
    }

    has(recordId: string): boolean {
        if (!this.sorted) this.sorted = Float64Array.from(this.hashes).sort();
        const wanted = hash52(recordId);
        let low = 0;
        let high = this.sorted.length - 1;
        while (low <= high) {
            const mid = (low + high) >>> 1;
            const value = this.sorted[mid]!;
            if (value === wanted) return true;
            if (value < wanted) low = mid + 1;
            else high = mid - 1;
        }
        return false;
    }

    get size(): number {
        return this.hashes.length;
    }
}

export interface CachedEvent {
    id: string;
    calendarId: string;
    eventId: string;
    status: string;
    recurringEventId: string | null;
    isSeries: boolean;
    deleted: boolean;
}

function asCachedEvent(record: unknown): CachedEvent | null {
    if (typeof record !== 'object' || record === null) return null;
    const fields = record as Record<string, unknown>;
    const metadata = fields['_nango_metadata'] as { deleted_at?: unknown } | undefined;
    if (typeof fields['id'] !== 'string' || typeof fields['calendarId'] !== 'string') return null;
    return {
        id: fields['id'],
        calendarId: fields['calendarId'],
        eventId: typeof fields['eventId'] === 'string' ? fields['eventId'] : '',
        status: typeof fields['status'] === 'string' ? fields['status'] : '',
        recurringEventId: typeof fields['recurringEventId'] === 'string' ? fields['recurringEventId'] : null,
        isSeries: Array.isArray(fields['recurrence']) && fields['recurrence'].length > 0,
        deleted: metadata?.deleted_at !== undefined && metadata.deleted_at !== null
    };
}

/** Whether any live event is cached: a missing checkpoint with a filled cache means the checkpoint was lost. */
export async function hasCachedEvents(nango: Cache): Promise<boolean> {
    for await (const record of nango.listRecords(MODEL)) {
        const cached = asCachedEvent(record);
        if (cached && !cached.deleted) return true;
    }
    return false;
}

/** Deletes every live cached event `doomed` picks; returns how many. */
export async function deleteCachedEvents(
    nango: Cache,
    doomed: (event: { id: string; calendarId: string; recurringEventId: string | null }) => boolean
): Promise<number> {
    let batch: { id: string }[] = [];
    let deleted = 0;
    // Deleting moves a record to the end of the modification order, so the walk meets it again, as deleted.
    for await (const record of nango.listRecords(MODEL)) {
        const cached = asCachedEvent(record);
        if (!cached || cached.deleted || !doomed(cached)) continue;
        batch.push({ id: cached.id });
        if (batch.length >= DELETE_BATCH) {
            await nango.batchDelete(batch, MODEL);
            deleted += batch.length;
            batch = [];
        }
    }
    if (batch.length > 0) {
        await nango.batchDelete(batch, MODEL);
        deleted += batch.length;
    }
    return deleted;
}

/** The cached records (deleted ones included, flagged) of these events of `calendarId`, by event id. */
export async function cachedEvents(nango: Cache, calendarId: string, eventIds: readonly string[]): Promise<Map<string, CachedEvent>> {
    const out = new Map<string, CachedEvent>();
    if (eventIds.length === 0) return out;
    const byRecordId = new Map(eventIds.map((id) => [eventRecordId(calendarId, id), id]));
    const found = await nango.getRecordsByIds<string, GoogleCalendarEvent>([...byRecordId.keys()], MODEL);
    for (const [recordId, record] of found) {
        const cached = asCachedEvent(record);
        const eventId = byRecordId.get(recordId);
        if (cached && eventId !== undefined) out.set(eventId, cached);
    }
    return out;
}

export function isLiveSeries(cached: CachedEvent | undefined): boolean {
    return cached !== undefined && !cached.deleted && cached.status !== 'cancelled' && cached.recurringEventId === null;
}

/**
 * Deletes the cached exceptions of `calendarId` whose series is not live in the cache: those of a cancelled series,
 * whatever page of which listing told. One walk over the cache (the records cache cannot be queried by series).
 * A series is cached whenever one of its instances ends inside the window, so an exception outlives this only if it
 * was moved into the window from an occurrence before it.
 */
export async function deleteOrphanExceptions(nango: Cache, calendarId: string): Promise<number> {
    const liveSeries = new Set<string>();
    const exceptions: { id: string; series: string }[] = [];
    for await (const record of nango.listRecords(MODEL)) {
        const cached = asCachedEvent(record);
        if (!cached || cached.deleted || cached.calendarId !== calendarId) continue;
        if (cached.recurringEventId !== null) exceptions.push({ id: cached.id, series: cached.recurringEventId });
        else if (isLiveSeries(cached)) liveSeries.add(cached.eventId);
    }
    const orphans = exceptions.filter((exception) => !liveSeries.has(exception.series)).map(({ id }) => ({ id }));
    for (let at = 0; at < orphans.length; at += DELETE_BATCH) await nango.batchDelete(orphans.slice(at, at + DELETE_BATCH), MODEL);
    return orphans.length;
}
