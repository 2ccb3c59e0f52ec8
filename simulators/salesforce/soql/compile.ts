/**
 * Binds a parsed query to the org's schema, refusing what Salesforce refuses (unknown objects and fields, literals of
 * the wrong type, filters and sorts on long text areas), and turns it into a predicate and a comparator over records.
 */
import { canonicalId15 } from '../ids.js';
import { nameEntity, type FieldDef, type ObjectDef, type OrgSchema } from '../schema.js';
import type { FieldValue, SfRecord } from '../values.js';
import { SoqlError } from './errors.js';
import type { Condition, FieldRef, Literal, Query } from './parser.js';

/** The record a lookup id points at, with its object; undefined when there is none (or it is deleted). */
export type ParentLookup = (id: string) => { object: ObjectDef; record: SfRecord } | undefined;

/**
 * A selected field: on the queried object (`lookups` empty) or reached through lookups, child to parent
 * (`Owner.Name`: lookups [OwnerId], field Name of User, or of the Name entity when the lookup is polymorphic).
 */
export interface Column {
    lookups: FieldDef[];
    field: FieldDef;
}

export interface CompiledQuery {
    object: ObjectDef;
    /** Selected fields in the order asked, or `count` for SELECT COUNT(). */
    fields: Column[] | 'count';
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

/**
 * SOQL and SOSL Reference, "Relationship Queries": a child-to-parent path (`Account.Name`, `Owner.Name`) may stand
 * wherever a field does, in SELECT, WHERE and ORDER BY; each step is a lookup's relationshipName, case-insensitive.
 * An empty lookup reads as null through any path.
 */
export function compileQuery(query: Query, schema: OrgSchema, parents: ParentLookup): CompiledQuery {
    const object = schema.object(query.from.name);
    if (!object) {
        throw new SoqlError(
            'INVALID_TYPE',
            `sObject type '${query.from.name}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`,
            query.text,
            query.from.pos
        );
    }
    const resolve = (ref: FieldRef): Resolved => {
        const column = resolveColumn(query, schema, object, ref);
        return { def: column.field, column, get: (record) => columnValue(column, record, parents) };
    };

    let fields: Column[] | 'count' = 'count';
    if (query.select !== 'count') {
        const seen = new Set<string>();
        fields = query.select.map((ref) => {
            const { column } = resolve(ref);
            const name = columnName(column);
            if (seen.has(name)) throw new SoqlError('MALFORMED_QUERY', `duplicate field selected: ${name}`, query.text, ref.pos);
            seen.add(name);
            return column;
        });
    }
    const matches = query.where ? compileCondition(query, query.where, resolve) : () => true;
    const orders = query.orderBy.map((item) => {
        const { def, get } = resolve(item.field);
        if (!def.sortable)
            throw new SoqlError('INVALID_FIELD', `field '${def.name}' can not be sorted in a query call`, query.text, item.field.pos);
        return { def, get, kind: kindOf(def), descending: item.descending, nullsLast: item.nullsLast };
    });
    const compare = (a: SfRecord, b: SfRecord): number => {
        for (const order of orders) {
            const x = order.get(a);
            const y = order.get(b);
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

interface Resolved {
    def: FieldDef;
    column: Column;
    get: (record: SfRecord) => FieldValue;
}

/** `Owner.Name` as the answer spells it: canonical relationship and field names. */
export function columnName(column: Column): string {
    return [...column.lookups.map((l) => l.relationshipName), column.field.name].join('.');
}

function resolveColumn(query: Query, schema: OrgSchema, object: ObjectDef, ref: FieldRef): Column {
    const lookups: FieldDef[] = [];
    let target = object;
    for (const step of ref.path.slice(0, -1)) {
        const lower = step.toLowerCase();
        const lookup = target.fields.find((f) => f.relationshipName !== null && f.relationshipName.toLowerCase() === lower);
        if (!lookup) {
            throw new SoqlError(
                'INVALID_FIELD',
                `Didn't understand relationship '${step}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.`,
                query.text,
                ref.pos
            );
        }
        lookups.push(lookup);
        const parent = lookup.referenceTo.length === 1 ? schema.object(lookup.referenceTo[0]!) : nameEntity();
        if (!parent) throw new Error(`${object.name}.${lookup.name} refers to ${lookup.referenceTo[0]}, which the schema lacks`);
        target = parent;
    }
    const name = ref.path[ref.path.length - 1]!;
    const def = schema.field(target, name);
    if (!def) {
        throw new SoqlError(
            'INVALID_FIELD',
            `No such column '${name}' on entity '${target.name}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`,
            query.text,
            ref.pos
        );
    }
    return { lookups, field: def };
}

/** The parent a lookup of `record` points at, or undefined when the lookup is empty or its record is gone. */
export function parentOf(record: SfRecord, lookup: FieldDef, parents: ParentLookup): { object: ObjectDef; record: SfRecord } | undefined {
    const id = record[lookup.name];
    return typeof id === 'string' ? parents(id) : undefined;
}

/**
 * A field of `record` (whose object is `object`), by name: the Name entity's fields are read off whatever the parent
 * is, `Type` being its object's name and a field that object lacks null.
 */
export function fieldOf(object: ObjectDef, record: SfRecord, def: FieldDef, polymorphic: boolean): FieldValue {
    if (polymorphic && def.name === 'Type') return object.name;
    return record[def.name] ?? null;
}

function columnValue(column: Column, record: SfRecord, parents: ParentLookup): FieldValue {
    let current = record;
    let object: ObjectDef | undefined;
    for (const lookup of column.lookups) {
        const parent = parentOf(current, lookup, parents);
        if (!parent) return null;
        current = parent.record;
        object = parent.object;
    }
    const last = column.lookups[column.lookups.length - 1];
    if (!object || !last) return record[column.field.name] ?? null;
    return fieldOf(object, current, column.field, last.referenceTo.length > 1);
}

function compileCondition(query: Query, condition: Condition, resolve: (ref: FieldRef) => Resolved): (record: SfRecord) => boolean {
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
            const { def, get } = filterable(query, resolve(condition.field), condition.field);
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
                const actual = stored(kind, get(record));
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
            const { def, get } = filterable(query, resolve(condition.field), condition.field);
            const kind = kindOf(def);
            const values = condition.values.map((literal) => literalValue(query, def, kind, literal));
            const wanted = new Set(values.map((v) => (v === null ? null : comparable(kind, v))));
            return (record) => {
                const actual = stored(kind, get(record));
                const hit = wanted.has(actual === null ? null : comparable(kind, actual));
                return condition.negated ? !hit : hit;
            };
        }
        case 'like': {
            const { def, get } = filterable(query, resolve(condition.field), condition.field);
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
                const actual = get(record);
                return typeof actual === 'string' && pattern.test(actual);
            };
        }
    }
}

function filterable(query: Query, resolved: Resolved, ref: FieldRef): Resolved {
    if (!resolved.def.filterable)
        throw new SoqlError('INVALID_FIELD', `field '${resolved.def.name}' can not be filtered in a query call`, query.text, ref.pos);
    return resolved;
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
