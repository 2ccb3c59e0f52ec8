/**
 * SOQL tokens. Keywords are case-insensitive identifiers; date and datetime literals are unquoted (ISO 8601);
 * string literals are single-quoted with backslash escapes.
 */
import { SoqlError } from './errors.js';

export type TokenKind = 'ident' | 'string' | 'number' | 'date' | 'datetime' | 'op' | 'punct' | 'eof';

export interface Token {
    kind: TokenKind;
    /** The literal's value (unescaped string, number text, date text) or the identifier/operator as written. */
    text: string;
    /** Offset in the query text. */
    pos: number;
}

const DATETIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})/;
const NUMBER = /^-?\d+(\.\d+)?/;
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*/;
const ESCAPES: Record<string, string> = { "'": "'", '"': '"', '\\': '\\', n: '\n', r: '\r', t: '\t', b: '\b', f: '\f' };

export function tokenize(query: string): Token[] {
    const tokens: Token[] = [];
    let i = 0;
    while (i < query.length) {
        const ch = query[i]!;
        if (/\s/.test(ch)) {
            i += 1;
            continue;
        }
        const rest = query.slice(i, i + 64);
        if (ch === "'") {
            const { value, end } = readString(query, i);
            tokens.push({ kind: 'string', text: value, pos: i });
            i = end;
            continue;
        }
        const datetime = DATETIME.exec(rest);
        if (datetime) {
            if (
                !validDate(datetime[1]!, datetime[2]!, datetime[3]!) ||
                Number(datetime[4]) > 23 ||
                Number(datetime[5]) > 59 ||
                Number(datetime[6]) > 59
            ) {
                throw new SoqlError('MALFORMED_QUERY', `invalid date time literal: ${datetime[0]}`, query, i);
            }
            tokens.push({ kind: 'datetime', text: datetime[0], pos: i });
            i += datetime[0].length;
            continue;
        }
        const date = DATE.exec(rest);
        if (date && !/[0-9A-Za-z]/.test(query[i + date[0].length] ?? '')) {
            if (!validDate(date[1]!, date[2]!, date[3]!))
                throw new SoqlError('MALFORMED_QUERY', `invalid date literal: ${date[0]}`, query, i);
            tokens.push({ kind: 'date', text: date[0], pos: i });
            i += date[0].length;
            continue;
        }
        const number = NUMBER.exec(rest);
        if (number) {
            tokens.push({ kind: 'number', text: number[0], pos: i });
            i += number[0].length;
            continue;
        }
        const ident = IDENT.exec(rest);
        if (ident) {
            tokens.push({ kind: 'ident', text: ident[0], pos: i });
            i += ident[0].length;
            continue;
        }
        const two = query.slice(i, i + 2);
        if (two === '!=' || two === '<>' || two === '<=' || two === '>=') {
            tokens.push({ kind: 'op', text: two === '<>' ? '!=' : two, pos: i });
            i += 2;
            continue;
        }
        if (ch === '=' || ch === '<' || ch === '>') {
            tokens.push({ kind: 'op', text: ch, pos: i });
            i += 1;
            continue;
        }
        if (ch === '(' || ch === ')' || ch === ',' || ch === '.' || ch === ':') {
            tokens.push({ kind: 'punct', text: ch, pos: i });
            i += 1;
            continue;
        }
        throw new SoqlError('MALFORMED_QUERY', `line 1:${i} no viable alternative at character '${ch}'`, query, i);
    }
    tokens.push({ kind: 'eof', text: '<EOF>', pos: query.length });
    return tokens;
}

function readString(query: string, start: number): { value: string; end: number } {
    let value = '';
    let i = start + 1;
    while (i < query.length) {
        const ch = query[i]!;
        if (ch === "'") return { value, end: i + 1 };
        if (ch === '\\') {
            const next = query[i + 1];
            if (next === undefined) break;
            // \% and \_ stay escaped: they only mean something inside a LIKE pattern.
            if (next === '%' || next === '_') value += '\\' + next;
            else if (next in ESCAPES) value += ESCAPES[next];
            else
                throw new SoqlError(
                    'MALFORMED_QUERY',
                    `Invalid string literal '${query.slice(start, i + 2)}'. Illegal escape sequence '\\${next}'`,
                    query,
                    i
                );
            i += 2;
            continue;
        }
        value += ch;
        i += 1;
    }
    throw new SoqlError('MALFORMED_QUERY', `line 1:${start} mismatched character '<EOF>' expecting '''`, query, start);
}

function validDate(year: string, month: string, day: string): boolean {
    const m = Number(month);
    const d = Number(day);
    if (m < 1 || m > 12 || d < 1) return false;
    const days = new Date(Date.UTC(Number(year), m, 0)).getUTCDate();
    return d <= days;
}
