/**
 * Nango's `last_modified_at` comes from Postgres `to_json(timestamptz)`: microseconds with trailing zeros dropped
 * (`…:00.12+00:00`, `…:00+00:00`), so two values do not compare as strings. Normalised: UTC, six fraction digits.
 */
const TIMESTAMP = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})$/;

export function normaliseTimestamp(value: string): string {
    const match = TIMESTAMP.exec(value);
    if (!match) {
        throw new Error(`not a timestamp Nango writes: ${value}`);
    }
    const [, seconds, fraction = '', offset] = match;
    const utc = new Date(`${seconds}${offset}`).toISOString().slice(0, 19);
    return `${utc}.${fraction.padEnd(6, '0').slice(0, 6)}Z`;
}
