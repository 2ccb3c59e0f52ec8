/**
 * Ground truth: what the provider holds, as the records a correct sync would leave in the cache. Each simulator
 * lists its records as `{ id, version }`, where `version` is a field of the cached model that changes whenever the
 * provider's record changes (Gmail historyId, People etag, SystemModstamp, Calendar etag).
 */
export interface TruthRecord {
    id: string;
    version: string;
}

export interface CachedRecordView {
    id: string;
    version: string;
    deleted: boolean;
}

export interface Verdict {
    model: string;
    expected: number;
    /** Live (not deleted) records in the cache. */
    stored: number;
    /** At the provider, absent from the cache. */
    missing: string[];
    /** In the cache with an older version than the provider's. */
    stale: string[];
    /** At the provider, but marked deleted in the cache. */
    wronglyDeleted: string[];
    /** Live in the cache, gone at the provider. */
    notDeleted: string[];
    ok: boolean;
}

export function compareWithTruth(model: string, truth: Iterable<TruthRecord>, cached: Iterable<CachedRecordView>): Verdict {
    const cache = new Map<string, CachedRecordView>();
    for (const record of cached) cache.set(record.id, record);
    const missing: string[] = [];
    const stale: string[] = [];
    const wronglyDeleted: string[] = [];
    const expectedIds = new Set<string>();
    for (const record of truth) {
        expectedIds.add(record.id);
        const hit = cache.get(record.id);
        if (!hit) missing.push(record.id);
        else if (hit.deleted) wronglyDeleted.push(record.id);
        else if (hit.version !== record.version) stale.push(record.id);
    }
    const notDeleted: string[] = [];
    let stored = 0;
    for (const record of cache.values()) {
        if (record.deleted) continue;
        stored += 1;
        if (!expectedIds.has(record.id)) notDeleted.push(record.id);
    }
    const ok = missing.length === 0 && stale.length === 0 && wronglyDeleted.length === 0 && notDeleted.length === 0;
    return { model, expected: expectedIds.size, stored, missing, stale, wronglyDeleted, notDeleted, ok };
}

/** A record as the local records store returns it: its data plus Nango's metadata. */
export type CachedRecordLike = Record<string, unknown> & { id: string; _nango_metadata: { deleted_at: string | null } };

/**
 * The cache of `model` against `truth`, reading each live record's version with the simulator's `versionOf`. A
 * deleted record holds only what its delete carried (usually just its id), so no version is read from it.
 */
export function verdictOfCache(
    model: string,
    truth: Iterable<TruthRecord>,
    records: Iterable<CachedRecordLike>,
    versionOf: (model: string, record: Record<string, unknown>) => string
): Verdict {
    const cached: CachedRecordView[] = [];
    for (const record of records) {
        const deleted = record._nango_metadata.deleted_at !== null;
        cached.push({ id: record.id, version: deleted ? '' : versionOf(model, record), deleted });
    }
    return compareWithTruth(model, truth, cached);
}
