/**
 * What Nango's server accepts as a checkpoint (NangoHQ/nango packages/shared/lib/services/checkpoints/checkpoints.ts:
 * CHECKPOINT_MAX_FIELDS = 16, CHECKPOINT_KEY_MAX_LENGTH = 255, CHECKPOINT_STRING_VALUE_MAX_LENGTH = 4000; values are
 * strings, numbers or booleans). Anything else is answered `invalid_checkpoint_format` and the script's
 * saveCheckpoint fails. `nango dryrun` checks none of this, so the tests do.
 */
export const NANGO_CHECKPOINT_LIMITS = { fields: 16, keyLength: 255, stringLength: 4000 } as const;

/** Why Nango would refuse `checkpoint`, one line per reason; empty when it passes. */
export function checkpointProblems(checkpoint: unknown): string[] {
    if (typeof checkpoint !== 'object' || checkpoint === null || Array.isArray(checkpoint)) return ['not a flat object'];
    const problems: string[] = [];
    const entries = Object.entries(checkpoint);
    if (entries.length > NANGO_CHECKPOINT_LIMITS.fields) problems.push(`${entries.length} fields (max ${NANGO_CHECKPOINT_LIMITS.fields})`);
    for (const [key, value] of entries) {
        if (key.length > NANGO_CHECKPOINT_LIMITS.keyLength) problems.push(`key ${key.slice(0, 40)}... is ${key.length} characters`);
        if (typeof value === 'string') {
            if (value.length > NANGO_CHECKPOINT_LIMITS.stringLength)
                problems.push(`${key} is ${value.length} characters (max ${NANGO_CHECKPOINT_LIMITS.stringLength})`);
        } else if (typeof value !== 'number' && typeof value !== 'boolean') {
            problems.push(`${key} is a ${value === null ? 'null' : typeof value}, not a string, number or boolean`);
        }
    }
    return problems;
}
