/**
 * A recursive-descent parser for the SOQL subset sync scripts use:
 *
 *   query     := SELECT (COUNT '(' ')' | field (',' field)*) FROM ident [WHERE condition]
 *                [ORDER BY order (',' order)*] [LIMIT integer] [OFFSET integer]
 *   condition := unary ((AND unary)* | (OR unary)*)      -- mixing AND and OR needs parentheses, as in SOQL
 *   unary     := [NOT] primary                            -- NOT only opens a condition, as in SOQL
 *   primary   := '(' condition ')' | field op literal | field [NOT] IN '(' literal (',' literal)* ')' | field LIKE string
 *   order     := field [ASC | DESC] [NULLS (FIRST | LAST)]
 *   field     := ident ('.' ident)*                      -- a dotted path goes child to parent (compile.ts)
 */
import { SoqlError } from './errors.js';
import { tokenize, type Token } from './lexer.js';
import { parseDateTime } from '../values.js';

export type Literal =
    | { kind: 'string'; value: string; pos: number }
    | { kind: 'number'; value: number; pos: number }
    | { kind: 'date'; value: string; pos: number }
    | { kind: 'datetime'; value: number; pos: number }
    | { kind: 'boolean'; value: boolean; pos: number }
    | { kind: 'null'; pos: number };

export interface FieldRef {
    /** As written; a dotted path is a relationship traversal. */
    path: string[];
    pos: number;
}

export type ComparisonOp = '=' | '!=' | '<' | '<=' | '>' | '>=';

export type Condition =
    | { kind: 'and' | 'or'; items: Condition[] }
    | { kind: 'not'; item: Condition }
    | { kind: 'compare'; field: FieldRef; op: ComparisonOp; value: Literal }
    | { kind: 'in'; field: FieldRef; negated: boolean; values: Literal[] }
    | { kind: 'like'; field: FieldRef; pattern: string; pos: number };

export interface OrderItem {
    field: FieldRef;
    descending: boolean;
    nullsLast: boolean;
}

export interface Query {
    text: string;
    /** `count` for SELECT COUNT(). */
    select: FieldRef[] | 'count';
    from: { name: string; pos: number };
    where: Condition | undefined;
    orderBy: OrderItem[];
    limit: number | undefined;
    offset: number | undefined;
}

export function parseSoql(text: string): Query {
    return new Parser(text).query();
}

class Parser {
    private readonly tokens: Token[];
    private index = 0;

    constructor(private readonly text: string) {
        this.tokens = tokenize(text);
    }

    query(): Query {
        this.keyword('SELECT');
        const select = this.selectList();
        this.keyword('FROM');
        const object = this.expect('ident');
        const from = { name: object.text, pos: object.pos };
        let where: Condition | undefined;
        if (this.acceptKeyword('WHERE')) where = this.condition();
        const orderBy: OrderItem[] = [];
        if (this.acceptKeyword('ORDER')) {
            this.keyword('BY');
            do orderBy.push(this.orderItem());
            while (this.acceptPunct(','));
        }
        const limit = this.acceptKeyword('LIMIT') ? this.integer() : undefined;
        const offset = this.acceptKeyword('OFFSET') ? this.integer() : undefined;
        if (this.peek().kind !== 'eof') this.unexpected();
        return { text: this.text, select, from, where, orderBy, limit, offset };
    }

    private selectList(): FieldRef[] | 'count' {
        const first = this.peek();
        if (first.kind === 'ident' && first.text.toUpperCase() === 'COUNT' && this.peek(1).text === '(') {
            this.index += 2;
            if (!this.acceptPunct(')')) {
                throw new SoqlError(
                    'MALFORMED_QUERY',
                    'aggregate queries (COUNT(field), GROUP BY) are not modelled by this simulator',
                    this.text,
                    first.pos
                );
            }
            return 'count';
        }
        const fields: FieldRef[] = [];
        do {
            if (this.isKeyword(this.peek(), 'FROM')) this.unexpected();
            fields.push(this.fieldRef());
        } while (this.acceptPunct(','));
        return fields;
    }

    private condition(): Condition {
        const first = this.unary(true);
        const op = this.peekKeyword('AND') ? 'and' : this.peekKeyword('OR') ? 'or' : undefined;
        if (!op) return first;
        const items = [first];
        const other = op === 'and' ? 'OR' : 'AND';
        while (this.acceptKeyword(op.toUpperCase())) {
            items.push(this.unary(false));
            if (this.peekKeyword(other)) this.unexpected();
        }
        return { kind: op, items };
    }

    private unary(allowNot: boolean): Condition {
        if (this.peekKeyword('NOT')) {
            if (!allowNot) this.unexpected();
            this.index += 1;
            return { kind: 'not', item: this.primary() };
        }
        return this.primary();
    }

    private primary(): Condition {
        if (this.acceptPunct('(')) {
            const inner = this.condition();
            this.expectPunct(')');
            return inner;
        }
        const field = this.fieldRef();
        const token = this.peek();
        if (token.kind === 'op') {
            this.index += 1;
            return { kind: 'compare', field, op: token.text as ComparisonOp, value: this.literal() };
        }
        if (this.acceptKeyword('LIKE')) {
            const pattern = this.expect('string');
            return { kind: 'like', field, pattern: pattern.text, pos: pattern.pos };
        }
        const negated = this.acceptKeyword('NOT');
        if (this.acceptKeyword('IN')) {
            this.expectPunct('(');
            const values: Literal[] = [];
            do values.push(this.literal());
            while (this.acceptPunct(','));
            this.expectPunct(')');
            return { kind: 'in', field, negated, values };
        }
        return this.unexpected();
    }

    private orderItem(): OrderItem {
        const field = this.fieldRef();
        let descending = false;
        if (this.acceptKeyword('DESC')) descending = true;
        else this.acceptKeyword('ASC');
        // Salesforce puts nulls first in ascending order and last in descending order unless told otherwise.
        let nullsLast = descending;
        if (this.acceptKeyword('NULLS')) {
            if (this.acceptKeyword('LAST')) nullsLast = true;
            else {
                this.keyword('FIRST');
                nullsLast = false;
            }
        }
        return { field, descending, nullsLast };
    }

    private fieldRef(): FieldRef {
        const first = this.expect('ident');
        if (isReserved(first.text)) this.unexpected(first);
        const path = [first.text];
        while (this.acceptPunct('.')) path.push(this.expect('ident').text);
        return { path, pos: first.pos };
    }

    private literal(): Literal {
        const token = this.peek();
        this.index += 1;
        switch (token.kind) {
            case 'string':
                return { kind: 'string', value: token.text, pos: token.pos };
            case 'number':
                return { kind: 'number', value: Number(token.text), pos: token.pos };
            case 'date':
                return { kind: 'date', value: token.text, pos: token.pos };
            case 'datetime':
                return { kind: 'datetime', value: parseDateTime(token.text), pos: token.pos };
            case 'ident': {
                const word = token.text.toUpperCase();
                if (word === 'TRUE' || word === 'FALSE') return { kind: 'boolean', value: word === 'TRUE', pos: token.pos };
                if (word === 'NULL') return { kind: 'null', pos: token.pos };
                break;
            }
            default:
                break;
        }
        this.index -= 1;
        return this.unexpected(token);
    }

    private integer(): number {
        const token = this.expect('number');
        if (!/^\d+$/.test(token.text)) this.unexpected(token);
        return Number(token.text);
    }

    private peek(ahead = 0): Token {
        return this.tokens[Math.min(this.index + ahead, this.tokens.length - 1)]!;
    }

    private isKeyword(token: Token, word: string): boolean {
        return token.kind === 'ident' && token.text.toUpperCase() === word;
    }

    private peekKeyword(word: string): boolean {
        return this.isKeyword(this.peek(), word);
    }

    private acceptKeyword(word: string): boolean {
        if (!this.peekKeyword(word)) return false;
        this.index += 1;
        return true;
    }

    private keyword(word: string): void {
        if (!this.acceptKeyword(word)) this.unexpected();
    }

    private acceptPunct(text: string): boolean {
        const token = this.peek();
        if (token.kind !== 'punct' || token.text !== text) return false;
        this.index += 1;
        return true;
    }

    private expectPunct(text: string): void {
        if (!this.acceptPunct(text)) this.unexpected();
    }

    private expect(kind: Token['kind']): Token {
        const token = this.peek();
        if (token.kind !== kind) this.unexpected(token);
        this.index += 1;
        return token;
    }

    private unexpected(token: Token = this.peek()): never {
        const shown = token.kind === 'eof' ? '<EOF>' : token.kind === 'string' ? `'${token.text}'` : token.text;
        throw new SoqlError('MALFORMED_QUERY', `unexpected token: ${shown}`, this.text, token.pos);
    }
}

const RESERVED = new Set([
    'SELECT',
    'FROM',
    'WHERE',
    'AND',
    'OR',
    'NOT',
    'IN',
    'LIKE',
    'ORDER',
    'BY',
    'LIMIT',
    'OFFSET',
    'NULL',
    'TRUE',
    'FALSE',
    'ASC',
    'DESC',
    'NULLS'
]);

function isReserved(word: string): boolean {
    return RESERVED.has(word.toUpperCase());
}
