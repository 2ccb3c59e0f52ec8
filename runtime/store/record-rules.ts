import { createHash } from 'node:crypto';
import type { WriteSummary } from './types.js';

/** Nango's record rules that need no database (packages/records in NangoHQ/nango). */

export function emptySummary(): WriteSummary {
    return { added: [], updated: [], deleted: [], unchanged: [] };
}

/** Nango's formatRecords: a falsy id is refused; the id is kept as a string without NUL characters. */
export function recordId(record: { id?: unknown }): string {
    if (!record.id) throw new Error(`Missing id field in record: ${JSON.stringify(record).slice(0, 200)}`);
    return String(record.id).replaceAll('\x00', '');
}

export function deletionTime(record: { id?: unknown; deletedAt?: unknown }, now: number): number {
    const at = typeof record.deletedAt === 'string' || typeof record.deletedAt === 'number' ? new Date(record.deletedAt).getTime() : NaN;
    return Number.isNaN(at) ? now : at;
}

/** Nango keeps the first record of each id within a batch and ignores the others. */
export function dedupeById<T extends { id?: unknown }>(records: readonly T[]): T[] {
    const seen = new Set<string>();
    return records.filter((record) => {
        const id = recordId(record);
        if (seen.has(id)) return false;
        seen.add(id);
        return true;
    });
}

/** md5 of the JSON text, as Nango's data_hash. */
export function hashOf(data: string): string {
    return createHash('md5').update(data).digest('hex');
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Objects merge key by key, arrays index by index (as Nango's deepMergeRecordData), anything else is replaced. */
export function deepMerge(target: unknown, source: unknown): unknown {
    if (Array.isArray(target) && Array.isArray(source)) {
        const length = Math.max(target.length, source.length);
        return Array.from({ length }, (_, i) => (i < source.length ? deepMerge(target[i], source[i]) : target[i]));
    }
    if (isPlainObject(target) && isPlainObject(source)) {
        const merged: Record<string, unknown> = { ...target };
        for (const [key, value] of Object.entries(source)) {
            merged[key] = key in target ? deepMerge(target[key], value) : value;
        }
        return merged;
    }
    return source;
}
