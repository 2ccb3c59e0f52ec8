import { isDeepStrictEqual } from 'node:util';

/** One way `nango dryrun` and our runtime disagree: the script, the record (or `output`), the field. */
export interface Difference {
    script: string;
    phase: string;
    /** A record id, or `output` for an action. */
    id: string;
    /** A dotted path into the record (`messages[0].subject`), or what is missing. */
    field: string;
    dryrun: unknown;
    runtime: unknown;
}

/**
 * Fields of action outputs that differ between two correct runs, so they are left out of the comparison.
 * Everything else must be equal.
 */
export const VOLATILE_OUTPUT_FIELDS: Record<string, { fields: string[]; why: string }> = {
    // The Message-ID the action gives a new message holds random bytes (crypto.randomBytes in mime-build.ts), so
    // that two sends never share one.
    // messageId: the Message-ID the action gives a message holds random bytes (randomBytes in mime-build.ts), so
    // two sends never share one. id, threadId: Gmail's ids grow with the time of the send (the simulator, like
    // Gmail, derives them from it: simulators/gmail/store.ts nextId), and the two sides send seconds apart.
    'send-email': { fields: ['messageId', 'id', 'threadId'], why: 'random Message-ID; ids from the time of the send' },
    'reply-email': { fields: ['messageId', 'id'], why: 'random Message-ID; id from the time of the send' },
    // Google stamps a written event with the time of the write: created, updated, and the etag derived from them.
    'create-event': { fields: ['created', 'updated', 'etag'], why: 'time of the write' },
    'update-event': { fields: ['updated', 'etag'], why: 'time of the write' }
};

/** The records a run left, by id: what it saved (the last save of an id wins) and the ids it deleted. */
export interface RunRecords {
    saved: Map<string, unknown>;
    deleted: Set<string>;
}

/**
 * What dryrun's `--save` recorded (`<integration>/tests/<name>.test.json`: `nango.batchSave` and
 * `nango.batchDelete` per model, each in call order, the two lists apart). The file does not say whether a save
 * of an id came before or after its deletion; a deleted id counts as deleted.
 */
export function dryrunRecords(saved: Record<string, unknown>, model: string): RunRecords {
    const nango = (saved['nango'] ?? {}) as {
        batchSave?: Record<string, Record<string, unknown>[]>;
        batchDelete?: Record<string, { id: unknown }[]>;
    };
    const deleted = new Set((nango.batchDelete?.[model] ?? []).map((record) => String(record.id)));
    const records = new Map<string, unknown>();
    for (const record of nango.batchSave?.[model] ?? []) {
        const id = String(record['id']);
        if (!deleted.has(id)) records.set(id, record);
    }
    return { saved: records, deleted };
}

export function compareRecords(script: string, phase: string, dryrun: RunRecords, runtime: RunRecords): Difference[] {
    const differences: Difference[] = [];
    const missing = (id: string, field: string, dry: unknown, rt: unknown) =>
        differences.push({ script, phase, id, field, dryrun: dry, runtime: rt });
    for (const [id, record] of runtime.saved) {
        if (!dryrun.saved.has(id)) missing(id, '(record saved by the runtime only)', undefined, record);
        else differences.push(...fieldDifferences(dryrun.saved.get(id), record).map((d) => ({ script, phase, id, ...d })));
    }
    for (const [id, record] of dryrun.saved) if (!runtime.saved.has(id)) missing(id, '(record saved by dryrun only)', record, undefined);
    for (const id of runtime.deleted) if (!dryrun.deleted.has(id)) missing(id, '(deleted by the runtime only)', undefined, true);
    for (const id of dryrun.deleted) if (!runtime.deleted.has(id)) missing(id, '(deleted by dryrun only)', true, undefined);
    return differences;
}

export function compareOutputs(script: string, dryrun: unknown, runtime: unknown): Difference[] {
    const volatile = new Set(VOLATILE_OUTPUT_FIELDS[script]?.fields ?? []);
    const strip = (value: unknown) =>
        value && typeof value === 'object' && !Array.isArray(value)
            ? Object.fromEntries(Object.entries(value).filter(([key]) => !volatile.has(key)))
            : value;
    return fieldDifferences(strip(dryrun), strip(runtime)).map((d) => ({ script, phase: 'action', id: 'output', ...d }));
}

/** Every leaf where two JSON values differ, by path. */
export function fieldDifferences(dryrun: unknown, runtime: unknown, path = ''): { field: string; dryrun: unknown; runtime: unknown }[] {
    if (isDeepStrictEqual(dryrun, runtime)) return [];
    const bothArrays = Array.isArray(dryrun) && Array.isArray(runtime);
    const bothObjects = isObject(dryrun) && isObject(runtime);
    if (!bothArrays && !bothObjects) return [{ field: path || '(value)', dryrun, runtime }];
    const a = dryrun as Record<string, unknown>;
    const b = runtime as Record<string, unknown>;
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].flatMap((key) => fieldDifferences(a[key], b[key], bothArrays ? `${path}[${key}]` : path ? `${path}.${key}` : key));
}

function isObject(value: unknown): value is Record<string, unknown> {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}
