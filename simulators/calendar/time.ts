/**
 * Time as Google Calendar speaks it: RFC 3339 date-times with offsets, all-day dates, IANA time zones, and the
 * wall-clock arithmetic recurring events need (a weekly 10:00 meeting in Paris stays at 10:00 across DST).
 */

const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();
const validZones = new Map<string, boolean>();

export function isValidTimeZone(zone: string): boolean {
    const known = validZones.get(zone);
    if (known !== undefined) return known;
    let ok: boolean;
    try {
        new Intl.DateTimeFormat('en-US', { timeZone: zone });
        ok = zone.length > 0;
    } catch {
        ok = false;
    }
    validZones.set(zone, ok);
    return ok;
}

function formatter(zone: string): Intl.DateTimeFormat {
    let format = formatters.get(zone);
    if (!format) {
        format = new Intl.DateTimeFormat('en-US', {
            timeZone: zone,
            hourCycle: 'h23',
            year: 'numeric',
            month: '2-digit',
            day: '2-digit',
            hour: '2-digit',
            minute: '2-digit',
            second: '2-digit'
        });
        formatters.set(zone, format);
    }
    return format;
}

const dayOffsets = new Map<string, Map<number, number | null>>();

/**
 * Minutes east of UTC in `zone` at instant `ms`. Asking Intl is slow, so offsets are cached per UTC day: a day whose
 * two ends share an offset has it throughout (zones change offset at most once a day); other days ask Intl.
 */
export function zoneOffsetMinutes(ms: number, zone: string): number {
    if (zone === 'UTC' || zone === 'Etc/UTC') return 0;
    let days = dayOffsets.get(zone);
    if (!days) {
        days = new Map();
        dayOffsets.set(zone, days);
    }
    const day = Math.floor(ms / DAY_MS);
    let offset = days.get(day);
    if (offset === undefined) {
        const first = intlOffset(day * DAY_MS, zone);
        offset = first === intlOffset((day + 1) * DAY_MS - 1000, zone) ? first : null;
        days.set(day, offset);
    }
    return offset ?? intlOffset(ms, zone);
}

function intlOffset(ms: number, zone: string): number {
    const parts: Record<string, number> = {};
    for (const part of formatter(zone).formatToParts(new Date(ms))) {
        if (part.type !== 'literal') parts[part.type] = Number(part.value);
    }
    const wall = Date.UTC(parts['year']!, parts['month']! - 1, parts['day']!, parts['hour']!, parts['minute']!, parts['second']!);
    return Math.round((wall - Math.floor(ms / 1000) * 1000) / 60_000);
}

/** The instant at which the wall clock in `zone` shows `wallMs` (a wall time encoded as if it were UTC). */
export function wallToInstant(wallMs: number, zone: string): number {
    const guess = wallMs - zoneOffsetMinutes(wallMs, zone) * 60_000;
    return wallMs - zoneOffsetMinutes(guess, zone) * 60_000;
}

/** The wall time (encoded as UTC) that `zone` shows at instant `ms`. */
export function instantToWall(ms: number, zone: string): number {
    return ms + zoneOffsetMinutes(ms, zone) * 60_000;
}

/** `2026-01-15T10:00:00+01:00`, or `...Z` in UTC, as Google renders event times. */
export function formatDateTime(ms: number, zone: string): string {
    const offset = zoneOffsetMinutes(ms, zone);
    const wall = new Date(ms + offset * 60_000).toISOString().slice(0, 19);
    if (offset === 0) return `${wall}Z`;
    const sign = offset > 0 ? '+' : '-';
    const abs = Math.abs(offset);
    return `${wall}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

export function formatDate(ms: number): string {
    return new Date(ms).toISOString().slice(0, 10);
}

/** `2026-01-15T12:00:00.000Z`: the form of `created` and `updated`. */
export function formatTimestamp(ms: number): string {
    return new Date(ms).toISOString();
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})?$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A date-time as a client sends it: the instant if it carries an offset, or its wall time (as UTC) if not. */
export function parseDateTime(text: string): { ms: number; hasOffset: boolean } | null {
    const match = RFC3339.exec(text);
    if (!match) return null;
    const [, y, mo, d, h, mi, s, , zone] = match;
    const wall = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
    if (!sameFields(wall, Number(y), Number(mo), Number(d)) || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return null;
    if (!zone) return { ms: wall, hasOffset: false };
    if (zone === 'Z' || zone === 'z') return { ms: wall, hasOffset: true };
    const sign = zone.startsWith('-') ? -1 : 1;
    const minutes = Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6));
    return { ms: wall - sign * minutes * 60_000, hasOffset: true };
}

/** A query bound such as `timeMin`: RFC 3339 with a mandatory offset (Google answers 400 otherwise). */
export function parseBound(text: string): number | null {
    const parsed = parseDateTime(text);
    return parsed?.hasOffset ? parsed.ms : null;
}

/** `YYYY-MM-DD` to UTC midnight. */
export function parseDate(text: string): number | null {
    const match = DATE.exec(text);
    if (!match) return null;
    const ms = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
    return sameFields(ms, Number(match[1]), Number(match[2]), Number(match[3])) ? ms : null;
}

/** The suffix of an instance id: `20260115T090000Z` for a timed start, `20260115` for an all-day one. */
export function instanceStamp(ms: number, allDay: boolean): string {
    const iso = new Date(ms).toISOString();
    const date = iso.slice(0, 10).replaceAll('-', '');
    return allDay ? date : `${date}T${iso.slice(11, 19).replaceAll(':', '')}Z`;
}

export function parseInstanceStamp(stamp: string): { ms: number; allDay: boolean } | null {
    const match = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})Z)?$/.exec(stamp);
    if (!match) return null;
    const [, y, mo, d, h, mi, s] = match;
    const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h ?? 0), Number(mi ?? 0), Number(s ?? 0));
    return { ms, allDay: h === undefined };
}

export function startOfUtcDay(ms: number): number {
    return Math.floor(ms / DAY_MS) * DAY_MS;
}

function sameFields(ms: number, y: number, mo: number, d: number): boolean {
    const date = new Date(ms);
    return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

function pad(n: number): string {
    return String(n).padStart(2, '0');
}

export { DAY_MS };
