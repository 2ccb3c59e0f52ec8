import { expect } from 'vitest';

/**
 * What Nango's server accepts as a checkpoint (NangoHQ/nango packages/shared/lib/services/checkpoints/checkpoints.ts:
 * CHECKPOINT_MAX_FIELDS, CHECKPOINT_STRING_VALUE_MAX_LENGTH, CHECKPOINT_KEY_MAX_LENGTH): a flat object of strings,
 * numbers and booleans, at most 16 fields, keys of at most 255 characters, strings of at most 4,000. Anything else
 * is refused with `invalid_checkpoint_format`, so the script's saveCheckpoint fails.
 */
export const NANGO_CHECKPOINT_MAX_FIELDS = 16;
export const NANGO_CHECKPOINT_MAX_STRING = 4000;
export const NANGO_CHECKPOINT_MAX_KEY = 255;

/** Why Nango would refuse this checkpoint (empty when it would accept it). */
export function checkpointProblems(checkpoint: unknown): string[] {
    if (typeof checkpoint !== 'object' || checkpoint === null || Array.isArray(checkpoint)) return ['not an object'];
    const entries = Object.entries(checkpoint);
    const problems: string[] = [];
    if (entries.length > NANGO_CHECKPOINT_MAX_FIELDS) problems.push(`${entries.length} fields (at most ${NANGO_CHECKPOINT_MAX_FIELDS})`);
    for (const [key, value] of entries) {
        if (key.length > NANGO_CHECKPOINT_MAX_KEY) problems.push(`key ${key.slice(0, 20)}... is ${key.length} characters`);
        if (typeof value === 'string' && value.length > NANGO_CHECKPOINT_MAX_STRING)
            problems.push(`${key} is ${value.length} characters (at most ${NANGO_CHECKPOINT_MAX_STRING})`);
        else if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean')
            problems.push(`${key} is ${value === null ? 'null' : typeof value} (only strings, numbers, booleans)`);
    }
    return problems;
}

export function expectWithinNangoLimits(checkpoint: unknown): void {
    expect(checkpointProblems(checkpoint)).toEqual([]);
}
