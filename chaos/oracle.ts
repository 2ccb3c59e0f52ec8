/**
 * What a sync must leave behind, whatever happened on the way: the provider's truth in the cache, the same cache a
 * fresh uncut sync builds, no repeated ids, and checkpoints Nango's servers accept.
 */
import type { RecordsStore } from '../runtime/records-store.js';
import type { Verdict } from '../simulators/common/truth.js';

/**
 * Nango's limits on a stored checkpoint (NangoHQ/nango packages/shared/lib/services/checkpoints/checkpoints.ts:
 * CHECKPOINT_MAX_FIELDS 16, CHECKPOINT_STRING_VALUE_MAX_LENGTH 4000, CHECKPOINT_KEY_MAX_LENGTH 255; values are
 * strings, numbers or booleans). Persist refuses anything else with invalid_checkpoint_format.
 */
export const CHECKPOINT_LIMITS = { fields: 16, stringChars: 4000, keyChars: 255 } as const;

export function checkpointProblems(checkpoint: unknown): string[] {
    if (checkpoint === null || typeof checkpoint !== 'object' || Array.isArray(checkpoint)) return ['not a flat object'];
    const problems: string[] = [];
    const entries = Object.entries(checkpoint);
    if (entries.length > CHECKPOINT_LIMITS.fields) problems.push(`${entries.length} fields (max ${CHECKPOINT_LIMITS.fields})`);
    for (const [key, value] of entries) {
        if (key.length > CHECKPOINT_LIMITS.keyChars) problems.push(`key of ${key.length} chars (max ${CHECKPOINT_LIMITS.keyChars})`);
        if (typeof value === 'string') {
            if (value.length > CHECKPOINT_LIMITS.stringChars)
                problems.push(`${key}: string of ${value.length} chars (max ${CHECKPOINT_LIMITS.stringChars})`);
        } else if (typeof value !== 'number' && typeof value !== 'boolean') {
            problems.push(`${key}: ${value === null ? 'null' : typeof value} value`);
        }
    }
    return problems;
}

/** A model's live records as `id → canonical JSON` (keys sorted, Nango's metadata left out). */
export function liveCache(store: RecordsStore, conn: { integration: string; connectionId: string }, model: string): Map<string, string> {
    const out = new Map<string, string>();
    for (const record of store.liveRecords(conn, model)) out.set(String(record['id']), canonicalJson(record));
    return out;
}

export function canonicalJson(value: unknown): string {
    return JSON.stringify(value, (_key, v: unknown) =>
        v && typeof v === 'object' && !Array.isArray(v)
            ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
            : v
    );
}

/** How two caches of one model differ, in a few words (empty when equal). */
export function cacheDifference(model: string, episode: Map<string, string>, fresh: Map<string, string>): string[] {
    const onlyEpisode = [...episode.keys()].filter((id) => !fresh.has(id));
    const onlyFresh = [...fresh.keys()].filter((id) => !episode.has(id));
    const differing = [...episode.keys()].filter((id) => fresh.has(id) && fresh.get(id) !== episode.get(id));
    const out: string[] = [];
    if (onlyEpisode.length > 0) out.push(`${model}: ${onlyEpisode.length} only in the episode's cache (${few(onlyEpisode)})`);
    if (onlyFresh.length > 0) out.push(`${model}: ${onlyFresh.length} only in a fresh sync's cache (${few(onlyFresh)})`);
    for (const id of differing.slice(0, 3))
        out.push(`${model}/${id} differs from a fresh sync: ${fieldDifference(episode.get(id)!, fresh.get(id)!)}`);
    if (differing.length > 3) out.push(`${model}: ${differing.length - 3} more records differ from a fresh sync`);
    return out;
}

function fieldDifference(a: string, b: string): string {
    const left = JSON.parse(a) as Record<string, unknown>;
    const right = JSON.parse(b) as Record<string, unknown>;
    const keys = [...new Set([...Object.keys(left), ...Object.keys(right)])].filter(
        (key) => JSON.stringify(left[key]) !== JSON.stringify(right[key])
    );
    return keys
        .slice(0, 3)
        .map((key) => `${key}: ${clip(JSON.stringify(left[key]))} vs ${clip(JSON.stringify(right[key]))}`)
        .join('; ');
}

export function verdictProblems(verdict: Verdict): string[] {
    if (verdict.ok) return [];
    const parts = [
        ['missing', verdict.missing],
        ['stale', verdict.stale],
        ['wrongly deleted', verdict.wronglyDeleted],
        ['not deleted', verdict.notDeleted]
    ] as const;
    return parts
        .filter(([, ids]) => ids.length > 0)
        .map(([label, ids]) => `${verdict.model} against the provider: ${ids.length} ${label} (${few(ids)})`);
}

function few(ids: readonly string[]): string {
    return `${ids.slice(0, 3).join(', ')}${ids.length > 3 ? ', ...' : ''}`;
}

function clip(text = 'undefined'): string {
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
