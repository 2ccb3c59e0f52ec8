/** Records as the REST API writes them: an `attributes` header, then the fields with date-times as `...000+0000`. */
import type { FieldDef, ObjectDef } from './schema.js';
import { formatDateTime, type FieldValue, type SfRecord } from './values.js';

export type WireRecord = Record<string, unknown>;

export function wireValue(def: FieldDef, value: FieldValue | undefined): unknown {
    if (value === undefined || value === null) return null;
    if (def.type === 'datetime' && typeof value === 'number') return formatDateTime(value);
    return value;
}

export function toWire(object: ObjectDef, record: SfRecord, fields: readonly FieldDef[], version: string): WireRecord {
    const out: WireRecord = {
        attributes: { type: object.name, url: `/services/data/${version}/sobjects/${object.name}/${String(record['Id'])}` }
    };
    for (const def of fields) out[def.name] = wireValue(def, record[def.name]);
    return out;
}
