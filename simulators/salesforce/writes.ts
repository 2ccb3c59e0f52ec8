/**
 * What Salesforce checks when a record is created or updated, in its order: the body's shape and field names (one
 * error, the request stops), then every field-level rule (all errors reported together).
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm
 */
import { canonicalId15, KEY_PREFIXES } from './ids.js';
import { SalesforceApiError, type SalesforceErrorBody } from './errors.js';
import type { FieldDef, ObjectDef, OrgSchema } from './schema.js';
import { isDate, parseDateTime, type FieldValue, type SfRecord } from './values.js';

/** Close to the address check Salesforce applies to email fields. */
const EMAIL =
    /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;

export function isValidEmail(value: string): boolean {
    return EMAIL.test(value);
}

/**
 * The body as typed field values, keyed by canonical field name. Refuses a non-object body, an `Id`, unknown fields,
 * fields the operation may not set, and values of the wrong JSON type, as Salesforce does before any other check.
 */
export function parseBody(
    schema: OrgSchema,
    object: ObjectDef,
    body: unknown,
    mode: 'create' | 'update',
    referenceExists: (id15: string) => boolean
): Record<string, FieldValue> {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        throw SalesforceApiError.one(
            400,
            'JSON_PARSER_ERROR',
            'Cannot deserialize instance of sobject from the request body: expected a JSON object'
        );
    }
    const values: Record<string, FieldValue> = {};
    const readOnly: string[] = [];
    for (const [key, raw] of Object.entries(body)) {
        if (key === 'attributes') continue;
        if (key.toLowerCase() === 'id')
            throw SalesforceApiError.one(400, 'INVALID_FIELD', 'The Id field should not be specified in the sobject data.');
        const def = schema.field(object, key);
        if (!def) throw SalesforceApiError.one(400, 'INVALID_FIELD', `No such column '${key}' on sobject of type ${object.name}`);
        if (mode === 'create' ? !def.createable : !def.updateable) {
            readOnly.push(def.name);
            continue;
        }
        values[def.name] = coerce(def, raw, referenceExists);
    }
    if (readOnly.length > 0) {
        throw SalesforceApiError.one(
            400,
            'INVALID_FIELD_FOR_INSERT_UPDATE',
            `Unable to create/update fields: ${readOnly.join(', ')}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
            readOnly
        );
    }
    return values;
}

function coerce(def: FieldDef, raw: unknown, referenceExists: (id15: string) => boolean): FieldValue {
    if (raw === null) return null;
    const refuse = (javaType: string): never => {
        const token =
            typeof raw === 'string'
                ? 'VALUE_STRING'
                : typeof raw === 'object'
                  ? Array.isArray(raw)
                      ? 'START_ARRAY'
                      : 'START_OBJECT'
                  : 'VALUE_' + String(raw).toUpperCase();
        throw SalesforceApiError.one(
            400,
            'JSON_PARSER_ERROR',
            `Cannot deserialize instance of ${javaType} from ${token} value ${typeof raw === 'object' ? '{' : String(raw)} or request may be missing a required field`
        );
    };
    switch (def.type) {
        case 'string':
        case 'textarea':
        case 'email':
        case 'phone':
        case 'url':
        case 'picklist':
            if (typeof raw === 'string') return raw;
            if (typeof raw === 'number' || typeof raw === 'boolean') return String(raw);
            return refuse('string');
        case 'currency':
        case 'double':
        case 'percent':
        case 'int': {
            const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
            if (!Number.isFinite(n) || (def.type === 'int' && !Number.isInteger(n))) return refuse(def.type === 'int' ? 'int' : 'double');
            return n;
        }
        case 'boolean':
            if (typeof raw === 'boolean') return raw;
            if (raw === 'true' || raw === 'false') return raw === 'true';
            return refuse('boolean');
        case 'date':
            if (typeof raw !== 'string' || !isDate(raw)) return refuse('date');
            checkValidDate(def, raw, Date.UTC(Number(raw.slice(0, 4)), Number(raw.slice(5, 7)) - 1, Number(raw.slice(8, 10))));
            return raw;
        case 'datetime': {
            const ms = typeof raw === 'string' ? parseDateTime(raw) : NaN;
            if (Number.isNaN(ms)) return refuse('datetime');
            checkValidDate(def, raw as string, ms);
            return ms;
        }
        case 'id':
        case 'reference': {
            const id15 = typeof raw === 'string' ? canonicalId15(raw) : null;
            const prefixes = def.referenceTo.map(prefixOf);
            if (!id15 || (prefixes.length > 0 && !prefixes.includes(id15.slice(0, 3)))) {
                throw SalesforceApiError.one(400, 'MALFORMED_ID', `${def.label}: id value of incorrect type: ${String(raw)}`, [def.name]);
            }
            if (!referenceExists(id15)) {
                throw SalesforceApiError.one(400, 'INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', [def.name]);
            }
            return raw as string;
        }
    }
}

/**
 * Salesforce holds dates from 1700-01-01T00:00:00Z to 4000-12-31T00:00:00Z ("Minimum and Maximum Dates", SOQL and
 * SOSL Reference, Date Formats and Date Literals); a save outside them fails with FIELD_INTEGRITY_EXCEPTION. The
 * year is read from the text (Date.UTC turns years 0 to 99 into 1900 to 1999).
 */
function checkValidDate(def: FieldDef, raw: string, ms: number): void {
    const year = Number(raw.slice(0, 4));
    if (year < 1700 || year > 4000 || ms < Date.UTC(1700, 0, 1) || ms > Date.UTC(4000, 11, 31))
        throw SalesforceApiError.one(400, 'FIELD_INTEGRITY_EXCEPTION', `${def.label}: invalid date: ${raw}`, [def.name]);
}

const PREFIXES: Record<string, string> = KEY_PREFIXES;

function prefixOf(object: string): string {
    return PREFIXES[object] ?? '???';
}

/**
 * Field-level rules over the record as it would be saved: required fields, lengths, restricted picklists, email
 * format, numeric ranges. `fields` limits the checks (except required ones) to what the request set.
 */
export function fieldErrors(object: ObjectDef, record: Record<string, FieldValue>, fields: Iterable<string>): SalesforceErrorBody[] {
    const errors: SalesforceErrorBody[] = [];
    const missing = object.fields
        .filter((f) => !f.nillable && f.createable && !f.defaultedOnCreate && f.type !== 'boolean')
        .filter((f) => {
            const value = record[f.name];
            return value === null || value === undefined || (typeof value === 'string' && value.trim() === '');
        })
        .map((f) => f.name);
    if (missing.length > 0)
        errors.push({
            message: `Required fields are missing: [${missing.join(', ')}]`,
            errorCode: 'REQUIRED_FIELD_MISSING',
            fields: missing
        });
    for (const name of fields) {
        const def = object.fields.find((f) => f.name === name);
        const value = record[name];
        if (!def || value === null || value === undefined) continue;
        if (typeof value === 'string' && def.length > 0 && value.length > def.length) {
            errors.push({
                message: `${def.label}: data value too large: ${value} (max length=${def.length})`,
                errorCode: 'STRING_TOO_LONG',
                fields: [name]
            });
            continue;
        }
        if (def.type === 'picklist' && def.restrictedPicklist && !def.picklistValues.some((p) => p.active && p.value === value)) {
            errors.push({
                message: `${def.label}: bad value for restricted picklist field: ${String(value)}`,
                errorCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
                fields: [name]
            });
        }
        if (def.type === 'email' && typeof value === 'string' && !isValidEmail(value)) {
            errors.push({ message: `${def.label}: invalid email address: ${value}`, errorCode: 'INVALID_EMAIL_ADDRESS', fields: [name] });
        }
        if (typeof value === 'number' && !withinRange(def, value)) {
            errors.push({
                message: `${def.label}: value outside of valid range on numeric field: ${value}`,
                errorCode: 'NUMBER_OUTSIDE_VALID_RANGE',
                fields: [name]
            });
        }
    }
    return errors;
}

function withinRange(def: FieldDef, value: number): boolean {
    if (def.type === 'percent') return value >= 0 && value <= 100;
    const integerDigits = def.precision - def.scale;
    return Math.abs(value) < 10 ** integerDigits;
}

export function blankRecord(object: ObjectDef): Record<string, FieldValue> {
    const record: Record<string, FieldValue> = {};
    for (const f of object.fields) record[f.name] = null;
    return record;
}

export function copy(record: SfRecord): Record<string, FieldValue> {
    return { ...record };
}
