/** How Salesforce writes and reads dates and times on the wire. */

const ISO_DATETIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})$/;

/** `2026-01-15T12:00:00.000+0000`, the form every REST answer uses. */
export function formatDateTime(ms: number): string {
    return new Date(ms).toISOString().replace('Z', '+0000');
}

/** Milliseconds from an ISO 8601 date-time with a zone (`Z`, `+05:00`, `+0000`), or NaN. */
export function parseDateTime(text: string): number {
    const m = ISO_DATETIME.exec(text);
    if (!m) return NaN;
    const [, y, mo, d, h, mi, s, fraction, zone] = m;
    const millis = fraction ? Math.floor(Number(`0.${fraction}`) * 1000) : 0;
    let ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), millis);
    if (zone && zone !== 'Z') {
        const sign = zone[0] === '-' ? -1 : 1;
        const digits = zone.slice(1).replace(':', '');
        ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
    }
    return ms;
}

/** Salesforce keeps date-times to the second: every stamp it writes has `.000`. */
export function toSecond(ms: number): number {
    return Math.floor(ms / 1000) * 1000;
}

export function isDate(text: string): boolean {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
    if (!m) return false;
    const month = Number(m[2]);
    const day = Number(m[3]);
    return month >= 1 && month <= 12 && day >= 1 && day <= new Date(Date.UTC(Number(m[1]), month, 0)).getUTCDate();
}

export function formatDate(ms: number): string {
    return new Date(ms).toISOString().slice(0, 10);
}

/** A stored field value: date-times as epoch milliseconds, dates as `YYYY-MM-DD`, ids in their 18-character form. */
export type FieldValue = string | number | boolean | null;

/** One record, keyed by canonical field names. Records are replaced, never mutated, so an open query keeps its rows. */
export type SfRecord = Readonly<Record<string, FieldValue>>;
