/** Records as the REST API writes them: an `attributes` header, then the fields with date-times as `...000+0000`. */
import type { FieldDef, ObjectDef } from './schema.js';
import { fieldOf, parentOf, type Column, type ParentLookup } from './soql/compile.js';
import { formatDateTime, type FieldValue, type SfRecord } from './values.js';

export type WireRecord = Record<string, unknown>;

export function wireValue(def: FieldDef, value: FieldValue | undefined): unknown {
    if (value === undefined || value === null) return null;
    if (def.type === 'datetime' && typeof value === 'number') return formatDateTime(value);
    return value;
}

function attributes(object: ObjectDef, id: FieldValue | undefined, version: string, type = object.name): WireRecord {
    return { type, url: `/services/data/${version}/sobjects/${object.name}/${String(id)}` };
}

export function toWire(object: ObjectDef, record: SfRecord, fields: readonly FieldDef[], version: string): WireRecord {
    const out: WireRecord = { attributes: attributes(object, record['Id'], version) };
    for (const def of fields) out[def.name] = wireValue(def, record[def.name]);
    return out;
}

/**
 * A query row. A path through a lookup becomes a nested record under the relationship name, with its own
 * `attributes`, holding every field selected through it: `"Owner": { "attributes": { "type": "User", "url": ... },
 * "Name": "Dana Whitfield" }`, or `"Owner": null` when the lookup is empty. Through a polymorphic lookup the nested
 * record's type is `Name` (the entity such lookups are read through) and its url names the actual parent, User or
 * Group, as in answers Salesforce gives (a recorded v29.0 answer: `"Owner": {"attributes": {"type": "Name", "url":
 * "/services/data/v29.0/sobjects/User/005..."}, "Name": ...}`).
 */
export function toQueryRow(
    object: ObjectDef,
    record: SfRecord,
    columns: readonly Column[],
    version: string,
    parents: ParentLookup
): WireRecord {
    const out: WireRecord = { attributes: attributes(object, record['Id'], version) };
    for (const column of columns) {
        let target = out;
        let current = record;
        let owner = object;
        let polymorphic = false;
        let empty = false;
        for (const lookup of column.lookups) {
            const key = lookup.relationshipName!;
            const existing = target[key];
            const parent = parentOf(current, lookup, parents);
            if (existing === null || !parent) {
                target[key] = null;
                empty = true;
                break;
            }
            polymorphic = lookup.referenceTo.length > 1;
            if (existing === undefined)
                target[key] = { attributes: attributes(parent.object, parent.record['Id'], version, polymorphic ? 'Name' : undefined) };
            target = target[key] as WireRecord;
            current = parent.record;
            owner = parent.object;
        }
        if (!empty) target[column.field.name] = wireValue(column.field, fieldOf(owner, current, column.field, polymorphic));
    }
    return out;
}
