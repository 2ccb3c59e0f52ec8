/**
 * Binds a parsed query to the org's schema, refusing what Salesforce refuses (unknown objects and fields, literals of
 * the wrong type, filters and sorts on long text areas), and turns it into a predicate and a comparator over records.
 */
import { canonicalId15 } from '../ids.js';
import type { FieldDef, ObjectDef, OrgSchema } from '../schema.js';
import type { FieldValue, SfRecord } from '../values.js';
import { SoqlError } from './errors.js';
import type { Condition, FieldRef, Literal, Query } from './parser.js';

export interface CompiledQuery {
    object: ObjectDef;
    /** Selected fields in the order asked, or `count` for SELECT COUNT(). */
    fields: FieldDef[] | 'count';
    matches: (record: SfRecord) => boolean;
    compare: (a: SfRecord, b: SfRecord) => number;
    limit: number | undefined;
    offset: number | undefined;
}

type Kind = 'id' | 'text' | 'number' | 'boolean' | 'date' | 'datetime';

function kindOf(field: FieldDef): Kind {
    switch (field.type) {
        case 'id':
        case 'reference':
            return 'id';
        case 'boolean':
            return 'boolean';
        case 'currency':
        case 'double':
        case 'percent':
        case 'int':
            return 'number';
        case 'date':
            return 'date';
        case 'datetime':
            return 'datetime';
        default:
            return 'text';
    }
}

const TYPE_NAMES: Record<Kind, string> = {
    id: 'id',
    text: 'string',
    number: 'number',
    boolean: 'boolean',
    date: 'date',
    datetime: 'dateTime'
};

/** The OFFSET clause tops out at 2,000 rows in SOQL. */
const MAX_OFFSET = 2000;

export function compileQuery(query: Query, schema: OrgSchema): CompiledQuery {
    const object = schema.object(query.from.name);
    if (!object) {
        throw new SoqlError(
            'INVALID_TYPE',
            `sObject type '${query.from.name}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`,
            query.text,
            query.from.pos
        );
    }
    const resolve = (ref: FieldRef): FieldDef => resolveField(query, schema, object, ref);

    let fields: FieldDef[] | 'count' = 'count';
    if (query.select !== 'count') {
        const seen = new Set<string>();
        fields = query.select.map((ref) => {
            const def = resolve(ref);
            if (seen.has(def.name)) throw new SoqlError('MALFORMED_QUERY', `duplicate field selected: ${def.name}`, query.text, ref.pos);
            seen.add(def.name);
            return def;
        });
    }
    const matches = query.where ? compileCondition(query, query.where, resolve) : () => true;
    const orders = query.orderBy.map((item) => {
        const def = resolve(item.field);
        if (!def.sortable)
            throw new SoqlError('INVALID_FIELD', `field '${def.name}' can not be sorted in a query call`, query.text, item.field.pos);
        return { def, kind: kindOf(def), descending: item.descending, nullsLast: item.nullsLast };
    });
    const compare = (a: SfRecord, b: SfRecord): number => {
        for (const order of orders) {
            const x = a[order.def.name] ?? null;
            const y = b[order.def.name] ?? null;
            if (x === null || y === null) {
                if (x === y) continue;
                return (x === null) === order.nullsLast ? 1 : -1;
            }
            const c = compareValues(order.kind, x, y);
            if (c !== 0) return order.descending ? -c : c;
        }
        return 0;
    };
    if (query.offset !== undefined && query.offset > MAX_OFFSET) {
        throw new SoqlError('MALFORMED_QUERY', `Maximum SOQL offset allowed is ${MAX_OFFSET}`, query.text, 0);
    }
    return { object, fields, matches, compare, limit: query.limit, offset: query.offset };
}

function resolveField(query: Query, schema: OrgSchema, object: ObjectDef, ref: FieldRef): FieldDef {
    if (ref.path.length > 1) {
        throw new SoqlError(
            'INVALID_FIELD',
            `Didn't understand relationship '${ref.path[0]}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.`,
            query.text,
            ref.pos
        );
    }
    const name = ref.path[0]!;
    const def = schema.field(object, name);
    if (!def) {
        throw new SoqlError(
            'INVALID_FIELD',
            `No such column '${name}' on entity '${object.name}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`,
            query.text,
            ref.pos
        );
    }
    return def;
}

function compileCondition(query: Query, condition: Condition, resolve: (ref: FieldRef) => FieldDef): (record: SfRecord) => boolean {
    switch (condition.kind) {
        case 'and': {
            const items = condition.items.map((item) => compileCondition(query, item, resolve));
            return (record) => items.every((item) => item(record));
        }
        case 'or': {
            const items = condition.items.map((item) => compileCondition(query, item, resolve));
            return (record) => items.some((item) => item(record));
        }
        case 'not': {
            const item = compileCondition(query, condition.item, resolve);
            return (record) => !item(record);
        }
        case 'compare': {
            const def = filterable(query, resolve(condition.field), condition.field);
            const kind = kindOf(def);
            const value = literalValue(query, def, kind, condition.value);
            const op = condition.op;
            if (kind === 'boolean' && op !== '=' && op !== '!=') {
                throw new SoqlError(
                    'INVALID_QUERY_FILTER_OPERATOR',
                    `invalid operator on boolean field: ${op}`,
                    query.text,
                    condition.field.pos
                );
            }
            if (value === null && op !== '=' && op !== '!=') {
                throw new SoqlError('MALFORMED_QUERY', `invalid operator with null: ${op}`, query.text, condition.value.pos);
            }
            return (record) => {
                const actual = stored(kind, record[def.name] ?? null);
                if (value === null) return op === '=' ? actual === null : actual !== null;
                if (actual === null) return op === '!=';
                const c = compareValues(kind, actual, value);
                switch (op) {
                    case '=':
                        return c === 0;
                    case '!=':
                        return c !== 0;
                    case '<':
                        return c < 0;
                    case '<=':
                        return c <= 0;
                    case '>':
                        return c > 0;
                    case '>=':
                        return c >= 0;
                }
            };
        }
        case 'in': {
            const def = filterable(query, resolve(condition.field), condition.field);
            const kind = kindOf(def);
            const values = condition.values.map((literal) => literalValue(query, def, kind, literal));
            const wanted = new Set(values.map((v) => (v === null ? null : comparable(kind, v))));
            return (record) => {
                const actual = stored(kind, record[def.name] ?? null);
                const hit = wanted.has(actual === null ? null : comparable(kind, actual));
                return condition.negated ? !hit : hit;
            };
        }
        case 'like': {
            const def = filterable(query, resolve(condition.field), condition.field);
            if (kindOf(def) !== 'text') {
                throw new SoqlError(
                    'INVALID_QUERY_FILTER_OPERATOR',
                    `invalid operator on field '${def.name}': LIKE`,
                    query.text,
                    condition.field.pos
                );
            }
            const pattern = likePattern(condition.pattern);
            return (record) => {
                const actual = record[def.name];
                return typeof actual === 'string' && pattern.test(actual);
            };
        }
    }
}

function filterable(query: Query, def: FieldDef, ref: FieldRef): FieldDef {
    if (!def.filterable)
        throw new SoqlError('INVALID_FIELD', `field '${def.name}' can not be filtered in a query call`, query.text, ref.pos);
    return def;
}

/** The literal as a stored value, or a refusal worded as Salesforce words a literal of the wrong type. */
function literalValue(query: Query, def: FieldDef, kind: Kind, literal: Literal): FieldValue {
    if (literal.kind === 'null') return null;
    const wrong = (): never => {
        const quoting = kind === 'text' || kind === 'id' ? 'should be enclosed in quotes' : 'should not be enclosed in quotes';
        throw new SoqlError(
            'INVALID_FIELD',
            `value of filter criterion for field '${def.name}' must be of type ${TYPE_NAMES[kind]} and ${quoting}`,
            query.text,
            literal.pos
        );
    };
    switch (kind) {
        case 'id': {
            if (literal.kind !== 'string') return wrong();
            const id = canonicalId15(literal.value);
            if (!id) throw new SoqlError('INVALID_QUERY_FILTER_OPERATOR', `invalid ID field: ${literal.value}`, query.text, literal.pos);
            return id;
        }
        case 'text':
            return literal.kind === 'string' ? literal.value : wrong();
        case 'number':
            return literal.kind === 'number' ? literal.value : wrong();
        case 'boolean':
            return literal.kind === 'boolean' ? literal.value : wrong();
        case 'date':
            return literal.kind === 'date' ? literal.value : wrong();
        case 'datetime':
            return literal.kind === 'datetime' ? literal.value : wrong();
    }
}

/** Ids compare on their case-sensitive 15-character form. */
function stored(kind: Kind, value: FieldValue): FieldValue {
    if (kind === 'id' && typeof value === 'string') return value.slice(0, 15);
    return value;
}

/** Text compares case-insensitively in SOQL. */
function comparable(kind: Kind, value: FieldValue): FieldValue {
    return kind === 'text' && typeof value === 'string' ? value.toLowerCase() : value;
}

function compareValues(kind: Kind, a: FieldValue, b: FieldValue): number {
    if (kind === 'id' && typeof a === 'string' && typeof b === 'string') {
        const x = a.slice(0, 15);
        const y = b.slice(0, 15);
        return x < y ? -1 : x > y ? 1 : 0;
    }
    const x = comparable(kind, a);
    const y = comparable(kind, b);
    if (x === y) return 0;
    if (typeof x === 'boolean' && typeof y === 'boolean') return x ? 1 : -1;
    return (x as string | number) < (y as string | number) ? -1 : 1;
}

function likePattern(pattern: string): RegExp {
    let source = '';
    for (let i = 0; i < pattern.length; i += 1) {
        const ch = pattern[i]!;
        if (ch === '\\' && (pattern[i + 1] === '%' || pattern[i + 1] === '_')) {
            source += escapeRegExp(pattern[i + 1]!);
            i += 1;
        } else if (ch === '%') source += '[\\s\\S]*';
        else if (ch === '_') source += '[\\s\\S]';
        else source += escapeRegExp(ch);
    }
    return new RegExp(`^${source}$`, 'i');
}

function escapeRegExp(text: string): string {
    return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
