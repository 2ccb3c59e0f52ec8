import { DAY_MS, instantToWall, wallToInstant } from './time.js';

/**
 * The part of RFC 5545 recurrence that Google Calendar events carry in `recurrence`: RRULE, EXRULE, RDATE and EXDATE
 * lines. Parsing refuses what Google refuses ("Invalid recurrence rule."); expansion covers FREQ DAILY, WEEKLY,
 * MONTHLY and YEARLY with INTERVAL, COUNT, UNTIL, BYDAY (with ordinals), BYMONTHDAY, BYMONTH and WKST. Other BY*
 * parts (BYSETPOS, BYYEARDAY, BYWEEKNO, BYHOUR...) are accepted and ignored when expanding.
 */

const WEEKDAYS = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'] as const;
const FREQS = ['DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY'] as const;
const IGNORED_PARTS = new Set(['BYSETPOS', 'BYYEARDAY', 'BYWEEKNO', 'BYHOUR', 'BYMINUTE', 'BYSECOND']);
/** No series is expanded past this many occurrences (Google also caps instance expansion). */
export const MAX_OCCURRENCES = 3000;

export interface RecurrenceRule {
    freq: (typeof FREQS)[number];
    interval: number;
    count: number | null;
    /** Inclusive bound, an instant (or a UTC-midnight date for all-day series). */
    until: number | null;
    byDay: { weekday: number; ordinal: number }[];
    byMonthDay: number[];
    byMonth: number[];
    weekStart: number;
}

export interface Recurrence {
    rules: RecurrenceRule[];
    exRules: RecurrenceRule[];
    rDates: number[];
    exDates: number[];
}

export interface Series {
    /** The first occurrence: an instant, or UTC midnight of the date for an all-day series. */
    start: number;
    allDay: boolean;
    /** The zone the wall-clock times repeat in. */
    zone: string;
    recurrence: Recurrence;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

export function parseRecurrence(lines: readonly string[], allDay: boolean, zone: string): Parsed<Recurrence> {
    const recurrence: Recurrence = { rules: [], exRules: [], rDates: [], exDates: [] };
    for (const line of lines) {
        const colon = line.indexOf(':');
        if (colon < 0) return invalid();
        const [name, ...params] = line.slice(0, colon).toUpperCase().split(';');
        const value = line.slice(colon + 1);
        if (name === 'RRULE' || name === 'EXRULE') {
            if (params.length > 0) return invalid();
            const rule = parseRule(value, allDay, zone);
            if (!rule) return invalid();
            (name === 'RRULE' ? recurrence.rules : recurrence.exRules).push(rule);
        } else if (name === 'RDATE' || name === 'EXDATE') {
            const dates = parseDateList(params, value, zone);
            if (!dates) return invalid();
            (name === 'RDATE' ? recurrence.rDates : recurrence.exDates).push(...dates);
        } else {
            return invalid();
        }
    }
    return { ok: true, value: recurrence };
}

function invalid(): { ok: false; message: string } {
    return { ok: false, message: 'Invalid recurrence rule.' };
}

function parseRule(text: string, allDay: boolean, zone: string): RecurrenceRule | null {
    const parts = new Map<string, string>();
    for (const pair of text.split(';')) {
        const eq = pair.indexOf('=');
        if (eq <= 0) return null;
        const key = pair.slice(0, eq).toUpperCase();
        if (parts.has(key)) return null;
        parts.set(key, pair.slice(eq + 1).toUpperCase());
    }
    const freq = parts.get('FREQ');
    if (!freq || !(FREQS as readonly string[]).includes(freq)) return null;
    const rule: RecurrenceRule = {
        freq: freq as RecurrenceRule['freq'],
        interval: 1,
        count: null,
        until: null,
        byDay: [],
        byMonthDay: [],
        byMonth: [],
        weekStart: 1
    };
    for (const [key, value] of parts) {
        switch (key) {
            case 'FREQ':
                break;
            case 'INTERVAL':
            case 'COUNT': {
                if (!/^\d{1,6}$/.test(value) || Number(value) < 1) return null;
                if (key === 'INTERVAL') rule.interval = Number(value);
                else rule.count = Number(value);
                break;
            }
            case 'UNTIL': {
                const until = parseIcsDate(value, allDay ? 'UTC' : zone);
                if (until === null) return null;
                rule.until = allDay ? Math.floor(until / DAY_MS) * DAY_MS : until;
                break;
            }
            case 'BYDAY': {
                for (const item of value.split(',')) {
                    const match = /^([+-]?\d{1,2})?(SU|MO|TU|WE|TH|FR|SA)$/.exec(item);
                    if (!match) return null;
                    const ordinal = match[1] ? Number(match[1]) : 0;
                    if (Math.abs(ordinal) > 53) return null;
                    rule.byDay.push({ weekday: WEEKDAYS.indexOf(match[2] as (typeof WEEKDAYS)[number]), ordinal });
                }
                break;
            }
            case 'BYMONTHDAY': {
                const days = numberList(value, -31, 31);
                if (!days || days.includes(0)) return null;
                rule.byMonthDay = days;
                break;
            }
            case 'BYMONTH': {
                const months = numberList(value, 1, 12);
                if (!months) return null;
                rule.byMonth = months;
                break;
            }
            case 'WKST': {
                const day = WEEKDAYS.indexOf(value as (typeof WEEKDAYS)[number]);
                if (day < 0) return null;
                rule.weekStart = day;
                break;
            }
            default:
                if (!IGNORED_PARTS.has(key) || !/^[+-]?\d{1,3}(,[+-]?\d{1,3})*$/.test(value)) return null;
        }
    }
    if (rule.count !== null && rule.until !== null) return null;
    return rule;
}

function numberList(value: string, min: number, max: number): number[] | null {
    const out: number[] = [];
    for (const item of value.split(',')) {
        if (!/^[+-]?\d{1,2}$/.test(item)) return null;
        const n = Number(item);
        if (n < min || n > max) return null;
        out.push(n);
    }
    return out;
}

/** `EXDATE;TZID=Europe/Paris:20260115T100000,20260122T100000`, `EXDATE;VALUE=DATE:20260115`, `EXDATE:20260115T090000Z`. */
function parseDateList(params: string[], value: string, zone: string): number[] | null {
    let tz = zone;
    for (const param of params) {
        const [key, val] = param.split('=');
        if (key === 'TZID' && val) tz = val;
        else if (key === 'VALUE' && (val === 'DATE' || val === 'DATE-TIME')) continue;
        else return null;
    }
    const out: number[] = [];
    for (const item of value.split(',')) {
        const ms = parseIcsDate(item.toUpperCase(), tz);
        if (ms === null) return null;
        out.push(ms);
    }
    return out;
}

/** `20260115` (UTC midnight), `20260115T090000Z` (an instant) or `20260115T100000` (wall time in `zone`). */
function parseIcsDate(text: string, zone: string): number | null {
    const match = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z)?)?$/.exec(text);
    if (!match) return null;
    const [, y, mo, d, h, mi, s, utc] = match;
    const wall = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h ?? 0), Number(mi ?? 0), Number(s ?? 0));
    if (new Date(wall).getUTCDate() !== Number(d) || Number(mo) > 12) return null;
    if (h === undefined || utc) return wall;
    try {
        return wallToInstant(wall, zone);
    } catch {
        return null;
    }
}

/**
 * Occurrence starts of `series` with `from <= start < to`, in order. COUNT counts from the first occurrence, so the
 * walk always begins at the series start.
 */
export function occurrences(series: Series, from: number, to: number): number[] {
    const found = new Set<number>();
    const limitTo = Math.min(to, seriesHorizon(series));
    for (const rule of series.recurrence.rules) {
        for (const at of expandRule(series, rule, limitTo)) if (at >= from && at < to) found.add(at);
    }
    if (series.start >= from && series.start < to) found.add(series.start);
    for (const at of series.recurrence.rDates) if (at >= from && at < to) found.add(at);
    for (const rule of series.recurrence.exRules) for (const at of expandRule(series, rule, limitTo)) found.delete(at);
    for (const at of series.recurrence.exDates) found.delete(at);
    return [...found].sort((a, b) => a - b);
}

/** The last occurrence start, or Infinity for a series without COUNT or UNTIL. */
export function lastOccurrence(series: Series): number {
    if (series.recurrence.rules.some((rule) => rule.count === null && rule.until === null)) return Infinity;
    const all = occurrences(series, -Infinity, Infinity);
    return all.length > 0 ? all[all.length - 1]! : series.start;
}

function seriesHorizon(series: Series): number {
    return series.start + 400 * 366 * DAY_MS;
}

function* expandRule(series: Series, rule: RecurrenceRule, to: number): Generator<number> {
    const wallStart = series.allDay ? series.start : instantToWall(series.start, series.zone);
    const startDay = Math.floor(wallStart / DAY_MS) * DAY_MS;
    const timeOfDay = wallStart - startDay;
    let emitted = 0;
    for (let period = 0; emitted < MAX_OCCURRENCES; period += 1) {
        const days = candidateDays(rule, startDay, period);
        if (days === null) return;
        for (const day of days) {
            if (day < startDay) continue;
            const at = series.allDay ? day : wallToInstant(day + timeOfDay, series.zone);
            if (at < series.start) continue;
            if (rule.until !== null && at > rule.until) return;
            if (at >= to) return;
            yield at;
            emitted += 1;
            if (rule.count !== null && emitted >= rule.count) return;
        }
        if (periodStart(rule, startDay, period) > to) return;
    }
}

function periodStart(rule: RecurrenceRule, startDay: number, period: number): number {
    const date = new Date(startDay);
    switch (rule.freq) {
        case 'DAILY':
            return startDay + period * rule.interval * DAY_MS;
        case 'WEEKLY':
            return startDay + period * rule.interval * 7 * DAY_MS - 7 * DAY_MS;
        case 'MONTHLY':
            return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + period * rule.interval, 1);
        case 'YEARLY':
            return Date.UTC(date.getUTCFullYear() + period * rule.interval, 0, 1);
    }
}

/** The days (UTC-midnight wall dates) a rule produces in its `period`-th period, sorted. */
function candidateDays(rule: RecurrenceRule, startDay: number, period: number): number[] | null {
    const start = new Date(startDay);
    let days: number[];
    switch (rule.freq) {
        case 'DAILY': {
            const day = startDay + period * rule.interval * DAY_MS;
            days = matchesDayFilters(rule, day) ? [day] : [];
            break;
        }
        case 'WEEKLY': {
            const offset = (start.getUTCDay() - rule.weekStart + 7) % 7;
            const weekStart = startDay - offset * DAY_MS + period * rule.interval * 7 * DAY_MS;
            const weekdays = rule.byDay.length > 0 ? rule.byDay.map((d) => d.weekday) : [start.getUTCDay()];
            days = weekdays.map((weekday) => weekStart + ((weekday - rule.weekStart + 7) % 7) * DAY_MS);
            days = days.filter((day) => rule.byMonth.length === 0 || rule.byMonth.includes(new Date(day).getUTCMonth() + 1));
            break;
        }
        case 'MONTHLY': {
            const year = start.getUTCFullYear();
            const month = start.getUTCMonth() + period * rule.interval;
            const first = Date.UTC(year, month, 1);
            if (rule.byMonth.length > 0 && !rule.byMonth.includes(new Date(first).getUTCMonth() + 1)) return [];
            days = daysInMonth(rule, first, start.getUTCDate());
            break;
        }
        case 'YEARLY': {
            const year = start.getUTCFullYear() + period * rule.interval;
            const months = rule.byMonth.length > 0 ? rule.byMonth : [start.getUTCMonth() + 1];
            days = months.flatMap((month) => daysInMonth(rule, Date.UTC(year, month - 1, 1), start.getUTCDate()));
            break;
        }
    }
    if (period > 400 * 366) return null;
    return [...new Set(days)].sort((a, b) => a - b);
}

function matchesDayFilters(rule: RecurrenceRule, day: number): boolean {
    const date = new Date(day);
    if (rule.byMonth.length > 0 && !rule.byMonth.includes(date.getUTCMonth() + 1)) return false;
    if (rule.byDay.length > 0 && !rule.byDay.some((d) => d.weekday === date.getUTCDay())) return false;
    if (rule.byMonthDay.length > 0 && !rule.byMonthDay.includes(date.getUTCDate())) return false;
    return true;
}

/** Days of the month starting at `first` selected by BYDAY / BYMONTHDAY, or the series' own day of month. */
function daysInMonth(rule: RecurrenceRule, first: number, startDate: number): number[] {
    const firstDate = new Date(first);
    const length = new Date(Date.UTC(firstDate.getUTCFullYear(), firstDate.getUTCMonth() + 1, 0)).getUTCDate();
    const dayAt = (n: number): number => first + (n - 1) * DAY_MS;
    let days: number[] = [];
    if (rule.byDay.length > 0) {
        for (const { weekday, ordinal } of rule.byDay) {
            const matching: number[] = [];
            for (let n = 1; n <= length; n += 1) if (new Date(dayAt(n)).getUTCDay() === weekday) matching.push(dayAt(n));
            if (ordinal === 0) days.push(...matching);
            else {
                const pick = ordinal > 0 ? matching[ordinal - 1] : matching[matching.length + ordinal];
                if (pick !== undefined) days.push(pick);
            }
        }
        if (rule.byMonthDay.length > 0) {
            const allowed = new Set(rule.byMonthDay.map((n) => (n > 0 ? n : length + n + 1)));
            days = days.filter((day) => allowed.has(new Date(day).getUTCDate()));
        }
    } else if (rule.byMonthDay.length > 0) {
        for (const n of rule.byMonthDay) {
            const date = n > 0 ? n : length + n + 1;
            if (date >= 1 && date <= length) days.push(dayAt(date));
        }
    } else if (startDate <= length) {
        days.push(dayAt(startDate));
    }
    return days;
}
