/**
 * The one place SOQL is written. Values enter a query only as literals made here: strings are quoted and escaped,
 * date-times formatted as SOQL wants them (unquoted ISO 8601), ids validated; field and object names must be plain
 * API names. Nothing from an input, a checkpoint or metadata is ever spliced into query text.
 * https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_quotedstringescapes.htm
 */
import { idProblem } from './ids.js';

/** A value rendered as SOQL. Only the functions below make one. */
export class SoqlLiteral {
    private constructor(readonly text: string) {}

    /** @internal */
    static unsafe(text: string): SoqlLiteral {
        return new SoqlLiteral(text);
    }
}

const ESCAPES: Record<string, string> = {
    '\\': '\\\\',
    "'": "\\'",
    '"': '\\"',
    '\n': '\\n',
    '\r': '\\r',
    '\t': '\\t',
    '\b': '\\b',
    '\f': '\\f'
};

/** A single-quoted string literal with SOQL's backslash escapes. */
export function soqlString(value: string): SoqlLiteral {
    return SoqlLiteral.unsafe(`'${value.replace(/[\\'"\n\r\t\b\f]/g, (c) => ESCAPES[c] ?? c)}'`);
}

const ISO_DATETIME = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2}))?$/;

/**
 * Milliseconds of an ISO 8601 date-time with a zone (or a bare date, read as midnight UTC), or null when the text is
 * anything else. Strict on purpose: what passes here is the only text that can become a date-time literal.
 */
export function parseIsoDateTime(text: string): number | null {
    const utc = utcMillis(text);
    if (utc !== undefined) return utc;
    const m = ISO_DATETIME.exec(text);
    if (!m) return null;
    const year = Number(m[1]);
    const month = Number(m[2]);
    const day = Number(m[3]);
    const hour = Number(m[4] ?? 0);
    const minute = Number(m[5] ?? 0);
    const second = Number(m[6] ?? 0);
    if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
    if (hour > 23 || minute > 59 || second > 59) return null;
    // Milliseconds are the fraction's first three digits: digits past them are dropped, never rounded up.
    const millis = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
    let ms = Date.UTC(year, month - 1, day, hour, minute, second, millis);
    const zone = m[8];
    if (zone && zone !== 'Z') {
        const digits = zone.slice(1).replace(':', '');
        const offset = (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
        ms -= zone.startsWith('-') ? -offset : offset;
    }
    return ms;
}

/**
 * Salesforce's own form, `2026-01-15T12:00:00.000+0000` (or with `Z`), read digit by digit: every date-time of every
 * row goes through here, and a regex match with its nine captures costs several times more. Undefined for any other
 * shape, which the regex then reads; null for that shape with a date or time that does not exist.
 */
function utcMillis(text: string): number | null | undefined {
    const zoned = text.length === 28 && text.endsWith('+0000');
    if (!zoned && !(text.length === 24 && text.endsWith('Z'))) return undefined;
    if (text[4] !== '-' || text[7] !== '-' || text[10] !== 'T' || text[13] !== ':' || text[16] !== ':' || text[19] !== '.')
        return undefined;
    const year = digitsAt(text, 0, 4);
    const month = digitsAt(text, 5, 2);
    const day = digitsAt(text, 8, 2);
    const hour = digitsAt(text, 11, 2);
    const minute = digitsAt(text, 14, 2);
    const second = digitsAt(text, 17, 2);
    const millis = digitsAt(text, 20, 3);
    if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0 || millis < 0) return undefined;
    if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
    if (hour > 23 || minute > 59 || second > 59) return null;
    return Date.UTC(year, month - 1, day, hour, minute, second, millis);
}

/** The number the `count` digits at `from` spell, or -1 if one is not a digit. */
function digitsAt(text: string, from: number, count: number): number {
    let value = 0;
    for (let i = from; i < from + count; i += 1) {
        const digit = text.charCodeAt(i) - 48;
        if (digit < 0 || digit > 9) return -1;
        value = value * 10 + digit;
    }
    return value;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
    const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
    return month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!;
}

const FIRST_VALID = Date.UTC(1700, 0, 1);
const LAST_VALID = Date.UTC(4000, 11, 31);

/**
 * Whether an ISO 8601 date or date-time (already parsed to `ms`) is one Salesforce can hold: 1700-01-01T00:00:00Z to
 * 4000-12-31T00:00:00Z ("Minimum and Maximum Dates", SOQL and SOSL Reference, Date Formats and Date Literals). The
 * year is also read from the text, because Date.UTC turns years 0 to 99 into 1900 to 1999.
 */
export function isWithinSalesforceDates(text: string, ms: number): boolean {
    const year = Number(text.slice(0, 4));
    return year >= 1700 && year <= 4000 && ms >= FIRST_VALID && ms <= LAST_VALID;
}

/** An unquoted UTC date-time literal to the second (Salesforce keeps no milliseconds), e.g. 2026-01-15T12:00:00Z. */
export function soqlDateTime(value: string | number): SoqlLiteral {
    const ms = typeof value === 'number' ? value : parseIsoDateTime(value);
    if (ms === null || !Number.isFinite(ms)) throw new Error(`not an ISO 8601 date-time: ${JSON.stringify(value)}`);
    return SoqlLiteral.unsafe(new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z'));
}

export function soqlBoolean(value: boolean): SoqlLiteral {
    return SoqlLiteral.unsafe(value ? 'true' : 'false');
}

/** A quoted id literal, after checking it is a 15- or 18-character id (of the object with `keyPrefix`, if given). */
export function soqlId(id: string, keyPrefix?: string): SoqlLiteral {
    const problem = idProblem(id, keyPrefix);
    if (problem) throw new Error(`not a Salesforce id (${problem}): ${JSON.stringify(id)}`);
    return SoqlLiteral.unsafe(`'${id}'`);
}

const API_NAME = /^[A-Za-z][A-Za-z0-9_]{0,79}$/;

/** A field or object API name as written in SOQL; anything but a plain name is refused. */
export function soqlName(name: string): string {
    if (!API_NAME.test(name) || name.includes('__') !== /__(c|r|x|mdt|e|b)$/.test(name))
        throw new Error(`not a Salesforce API name: ${JSON.stringify(name)}`);
    return name;
}

/**
 * A field, or a child-to-parent path of relationship names ending in a field (`Owner.Name`, `Parent__r.Name`),
 * each step a plain API name. Salesforce follows at most five such steps (SOQL and SOSL Reference, "Relationship
 * Query Limits").
 */
export function soqlFieldPath(path: string): string {
    const steps = path.split('.');
    if (steps.length > 6) throw new Error(`more than five relationships in ${JSON.stringify(path)}`);
    steps.forEach(soqlName);
    return path;
}

export type Comparison = '=' | '!=' | '<' | '<=' | '>' | '>=';

export interface Condition {
    readonly soql: string;
}

export function where(field: string, op: Comparison, value: SoqlLiteral): Condition {
    return { soql: `${soqlName(field)} ${op} ${value.text}` };
}

export function whereIn(field: string, values: readonly SoqlLiteral[]): Condition {
    if (values.length === 0) throw new Error('IN needs at least one value');
    return { soql: `${soqlName(field)} IN (${values.map((v) => v.text).join(', ')})` };
}

export interface SelectQuery {
    fields: readonly string[];
    from: string;
    /** ANDed together. */
    where?: readonly Condition[];
    orderBy?: readonly { field: string; descending?: boolean }[];
    limit?: number;
}

export function buildSelect(query: SelectQuery): string {
    if (query.fields.length === 0) throw new Error('a SELECT needs at least one field');
    let soql = `SELECT ${query.fields.map(soqlFieldPath).join(', ')} FROM ${soqlName(query.from)}`;
    const conditions = query.where ?? [];
    if (conditions.length > 0) soql += ` WHERE ${conditions.map((c) => (conditions.length > 1 ? `(${c.soql})` : c.soql)).join(' AND ')}`;
    const order = query.orderBy ?? [];
    if (order.length > 0) soql += ` ORDER BY ${order.map((o) => `${soqlName(o.field)} ${o.descending ? 'DESC' : 'ASC'}`).join(', ')}`;
    if (query.limit !== undefined) {
        if (!Number.isInteger(query.limit) || query.limit < 1) throw new Error(`bad LIMIT ${query.limit}`);
        soql += ` LIMIT ${query.limit}`;
    }
    return soql;
}
