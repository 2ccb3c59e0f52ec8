/**
 * Checks on create-event / update-event input, made before anything is sent so a caller learns which field is wrong
 * instead of reading Calendar's 400. Time zones are checked with `Intl`, a language built-in that exists in Nango's
 * sandbox like in any V8 context (with the full ICU data of Node).
 */
import type { EventAttendeeInput, EventRemindersInput, EventTimeInput } from '../../models.js';
import { isValidEmail } from '../shared/email.js';

export interface Issue {
    field: string;
    message: string;
}

/** A time as an instant (timed) or a UTC-midnight date (all-day), for comparing start with end. */
export type ResolvedTime = { allDay: false; ms: number; timeZone: string | null } | { allDay: true; ms: number };

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})?$/i;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
/** Calendar event ids: base32hex (lowercase a-v and 0-9), 5 to 1024 characters. */
export const EVENT_ID = /^[a-v0-9]{5,1024}$/;
/**
 * An id Google gives an existing event: a client's base32hex id, Google's own (an imported event's may start with
 * `_`), or an instance id `<seriesId>_<YYYYMMDD[THHMMSSZ]>`. Never a space, `/`, `#`, `@` or a control character.
 */
const EXISTING_EVENT_ID = /^[A-Za-z0-9_-]{1,1100}$/;
/** A calendar id: `primary`, or an address (`team@group.calendar.google.com`, `en.usa#holiday@group.v...`). */
const CALENDAR_ID = /^[^\s/]{1,1024}$/;

/** Where the first C0 or C1 control character (or DEL) is; tabs and line breaks pass when `breaks` allows them. */
function controlAt(text: string, breaks: boolean): number {
    for (let at = 0; at < text.length; at += 1) {
        const code = text.charCodeAt(at);
        const control = code < 0x20 || (code >= 0x7f && code <= 0x9f);
        if (control && !(breaks && (code === 0x09 || code === 0x0a || code === 0x0d))) return at;
    }
    return -1;
}

export function checkEventId(eventId: string, issues: Issue[]): void {
    if (!EXISTING_EVENT_ID.test(eventId)) {
        issues.push({
            field: 'eventId',
            message: "not an event id: 1 to 1100 letters, digits, '_' or '-' (an instance of a series is <seriesId>_<start>)"
        });
    }
}

export function checkCalendarId(calendarId: string, issues: Issue[]): void {
    if (!CALENDAR_ID.test(calendarId) || controlAt(calendarId, false) >= 0) {
        issues.push({
            field: 'calendarId',
            message: "not a calendar id: 'primary' or the calendar's address, without spaces, '/' or control characters"
        });
    }
}

/** Control characters in a title or place (none) or a description (tabs and line breaks only). */
export function checkText(field: 'summary' | 'location' | 'description', text: string, issues: Issue[]): void {
    const at = controlAt(text, field === 'description');
    if (at >= 0) {
        const code = text.charCodeAt(at).toString(16).toUpperCase().padStart(4, '0');
        issues.push({ field, message: `holds the control character U+${code} at position ${at}` });
    }
}

export function isValidTimeZone(zone: string): boolean {
    if (zone.length === 0) return false;
    try {
        new Intl.DateTimeFormat('en-US', { timeZone: zone });
        return true;
    } catch {
        return false;
    }
}

/**
 * UTC midnight of a calendar date, or null when there is no such day. Years 0001 to 9999: RFC 3339, which Calendar's
 * `date` and `dateTime` follow (https://developers.google.com/workspace/calendar/api/v3/reference/events), writes
 * four digits, and year 0000 is no year of the Gregorian calendar dates are counted in.
 */
function validDate(y: number, m: number, d: number): number | null {
    if (y < 1 || y > 9999) return null;
    const date = new Date(0);
    // setUTCFullYear, not Date.UTC: Date.UTC reads years 0-99 as 1900-1999.
    date.setUTCFullYear(y, m - 1, d);
    return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d ? date.getTime() : null;
}

/** Minutes east of UTC in `zone` at instant `ms`. */
function offsetMinutes(ms: number, zone: string): number {
    const parts: Record<string, number> = {};
    const format = new Intl.DateTimeFormat('en-US', {
        timeZone: zone,
        hourCycle: 'h23',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit'
    });
    for (const part of format.formatToParts(new Date(ms))) if (part.type !== 'literal') parts[part.type] = Number(part.value);
    const wall = Date.UTC(
        parts['year'] ?? 0,
        (parts['month'] ?? 1) - 1,
        parts['day'] ?? 1,
        parts['hour'] ?? 0,
        parts['minute'] ?? 0,
        parts['second'] ?? 0
    );
    return Math.round((wall - Math.floor(ms / 1000) * 1000) / 60_000);
}

/** One start or end as given; `field` names it in the issues (`start`, `end`). */
export function resolveTime(time: EventTimeInput, field: string, issues: Issue[]): ResolvedTime | null {
    const hasDate = time.date !== undefined;
    const hasDateTime = time.dateTime !== undefined;
    if (hasDate === hasDateTime) {
        issues.push({ field, message: 'give either dateTime (a timed event) or date (an all-day event), not both or neither' });
        return null;
    }
    if (time.timeZone !== undefined && !isValidTimeZone(time.timeZone)) {
        issues.push({ field: `${field}.timeZone`, message: `'${time.timeZone}' is not an IANA time zone name (e.g. Europe/Paris)` });
        return null;
    }
    if (hasDate) {
        const match = DATE.exec(time.date!);
        const ms = match ? validDate(Number(match[1]), Number(match[2]), Number(match[3])) : null;
        if (ms === null) {
            issues.push({ field: `${field}.date`, message: `'${time.date}' is not a date in the form YYYY-MM-DD, years 0001 to 9999` });
            return null;
        }
        if (time.timeZone !== undefined) issues.push({ field: `${field}.timeZone`, message: 'an all-day date takes no time zone' });
        return { allDay: true, ms };
    }
    const match = DATE_TIME.exec(time.dateTime!);
    const day = match ? validDate(Number(match[1]), Number(match[2]), Number(match[3])) : null;
    if (!match || day === null || Number(match[4]) > 23 || Number(match[5]) > 59 || Number(match[6]) > 59) {
        issues.push({
            field: `${field}.dateTime`,
            message: `'${time.dateTime}' is not an RFC 3339 date-time (e.g. 2026-03-01T10:00:00+01:00)`
        });
        return null;
    }
    const wall = day + Number(match[4]) * 3_600_000 + Number(match[5]) * 60_000 + Number(match[6]) * 1000;
    const offset = match[8];
    // RFC 3339 time-numoffset: hours 00-23, minutes 00-59.
    if (offset !== undefined && offset.toUpperCase() !== 'Z' && (Number(offset.slice(1, 3)) > 23 || Number(offset.slice(4, 6)) > 59)) {
        issues.push({ field: `${field}.dateTime`, message: `'${time.dateTime}' has an offset outside -23:59 to +23:59` });
        return null;
    }
    if (offset === undefined) {
        if (time.timeZone === undefined) {
            issues.push({ field: `${field}.timeZone`, message: 'a dateTime without an offset needs a timeZone' });
            return null;
        }
        const guess = wall - offsetMinutes(wall, time.timeZone) * 60_000;
        return { allDay: false, ms: wall - offsetMinutes(guess, time.timeZone) * 60_000, timeZone: time.timeZone };
    }
    const minutes =
        offset.toUpperCase() === 'Z'
            ? 0
            : (offset.startsWith('-') ? -1 : 1) * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6)));
    return { allDay: false, ms: wall - minutes * 60_000, timeZone: time.timeZone ?? null };
}

/** Start and end agree: both timed or both all-day, end after start (an all-day end date is exclusive). */
export function checkRange(start: ResolvedTime, end: ResolvedTime, issues: Issue[]): void {
    if (start.allDay !== end.allDay) {
        issues.push({ field: 'end', message: 'start and end must both be timed (dateTime) or both be all-day (date)' });
        return;
    }
    if (start.allDay ? end.ms <= start.ms : end.ms < start.ms) {
        issues.push({
            field: 'end',
            message: start.allDay ? 'end date must be after the start date (it is exclusive)' : 'end must not be before start'
        });
    }
}

export function checkAttendees(attendees: readonly EventAttendeeInput[], issues: Issue[]): void {
    attendees.forEach((attendee, index) => {
        if (!isValidEmail(attendee.email))
            issues.push({ field: `attendees[${index}].email`, message: `'${attendee.email}' is not an email address` });
    });
}

export function checkReminders(reminders: EventRemindersInput, issues: Issue[]): void {
    const overrides = reminders.overrides ?? [];
    if (reminders.useDefault && overrides.length > 0) {
        issues.push({ field: 'reminders', message: 'useDefault and overrides cannot be combined' });
    }
    if (overrides.length > 5) issues.push({ field: 'reminders.overrides', message: 'at most 5 reminder overrides' });
    overrides.forEach((override, index) => {
        if (!Number.isInteger(override.minutes) || override.minutes < 0 || override.minutes > 40320) {
            issues.push({
                field: `reminders.overrides[${index}].minutes`,
                message: 'minutes must be a whole number from 0 to 40320 (4 weeks)'
            });
        }
    });
}

const WEEKDAY = '(SU|MO|TU|WE|TH|FR|SA)';
const RULE_PARTS: Record<string, RegExp> = {
    FREQ: /^(SECONDLY|MINUTELY|HOURLY|DAILY|WEEKLY|MONTHLY|YEARLY)$/,
    UNTIL: /^\d{8}(T\d{6}Z?)?$/,
    COUNT: /^[1-9]\d*$/,
    INTERVAL: /^[1-9]\d*$/,
    BYSECOND: list('([0-9]|[1-5][0-9]|60)'),
    BYMINUTE: list('([0-9]|[1-5][0-9])'),
    BYHOUR: list('([0-9]|1[0-9]|2[0-3])'),
    BYDAY: list(`([+-]?([1-9]|[1-4][0-9]|5[0-3]))?${WEEKDAY}`),
    BYMONTHDAY: list('[+-]?([1-9]|[12][0-9]|3[01])'),
    BYYEARDAY: list('[+-]?([1-9]|[1-9][0-9]|[12][0-9]{2}|3[0-5][0-9]|36[0-6])'),
    BYWEEKNO: list('[+-]?([1-9]|[1-4][0-9]|5[0-3])'),
    BYMONTH: list('([1-9]|1[0-2])'),
    BYSETPOS: list('[+-]?([1-9]|[1-9][0-9]|[12][0-9]{2}|3[0-5][0-9]|36[0-6])'),
    WKST: new RegExp(`^${WEEKDAY}$`)
};

function list(item: string): RegExp {
    return new RegExp(`^${item}(,${item})*$`);
}

/** RFC 5545 syntax of `RRULE:`, `EXRULE:`, `RDATE` and `EXDATE` lines, the ones Calendar's `recurrence` holds. */
export function checkRecurrence(lines: readonly string[], issues: Issue[]): void {
    lines.forEach((line, index) => {
        const field = `recurrence[${index}]`;
        const problem = recurrenceLineProblem(line);
        if (problem) issues.push({ field, message: `'${line}': ${problem}` });
    });
}

function recurrenceLineProblem(line: string): string | null {
    const colon = line.indexOf(':');
    if (colon < 0) return 'expected NAME:VALUE, e.g. RRULE:FREQ=WEEKLY;BYDAY=MO';
    const [name = '', ...params] = line.slice(0, colon).toUpperCase().split(';');
    const value = line.slice(colon + 1);
    if (name === 'RRULE' || name === 'EXRULE') {
        if (params.length > 0) return `${name} takes no parameters`;
        return ruleProblem(value);
    }
    if (name === 'RDATE' || name === 'EXDATE') {
        for (const param of params) {
            if (!/^(TZID=[^;:,]+|VALUE=(DATE|DATE-TIME|PERIOD))$/.test(param)) return `unknown parameter ${param}`;
            // Intl matches zone names case-insensitively, so the upper-cased parameter is still checkable.
            const zone = param.startsWith('TZID=') ? param.slice(5) : null;
            if (zone && !isValidTimeZone(zone)) return `unknown time zone ${zone}`;
        }
        const values = value.split(',');
        if (values.some((item) => !/^\d{8}(T\d{6}Z?)?(\/.+)?$/i.test(item))) return 'dates must be YYYYMMDD or YYYYMMDDTHHMMSS[Z]';
        return null;
    }
    return 'only RRULE, EXRULE, RDATE and EXDATE lines are allowed';
}

function ruleProblem(rule: string): string | null {
    const seen = new Set<string>();
    for (const part of rule.split(';')) {
        const eq = part.indexOf('=');
        if (eq <= 0) return `'${part}' is not NAME=VALUE`;
        const name = part.slice(0, eq).toUpperCase();
        const value = part.slice(eq + 1).toUpperCase();
        const pattern = RULE_PARTS[name];
        if (!pattern) return `unknown rule part ${name}`;
        if (seen.has(name)) return `${name} appears twice`;
        seen.add(name);
        if (!pattern.test(value)) return `invalid ${name} value '${value}'`;
    }
    if (!seen.has('FREQ')) return 'FREQ is required';
    if (seen.has('COUNT') && seen.has('UNTIL')) return 'COUNT and UNTIL cannot both be set';
    return null;
}
