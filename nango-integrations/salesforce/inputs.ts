/**
 * Action inputs checked before any call, against the rules Salesforce itself applies (required fields, field
 * lengths, email format, id shape), so a bad input costs no API call and is never half-applied. Problems are worded
 * with Salesforce's error codes, so a caller handles one vocabulary whether we or Salesforce refused.
 * Lengths: https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_lead.htm
 */
import { CreateLeadInput, UpdateOpportunityInput, type SalesforceExtraFields } from '../../models.js';
import { isValidEmail } from '../shared/email.js';
import { checkInput, type InputIssue } from '../shared/input.js';
import { idProblem, KEY_PREFIX, toId18 } from './ids.js';
import { isWithinSalesforceDates, parseIsoDateTime } from './soql.js';

export interface InputProblem {
    errorCode: string;
    message: string;
    fields: string[];
}

export type Checked<T> = { ok: true; value: T } | { ok: false; problem: InputProblem };

type FieldValue = string | number | boolean | null;

const LEAD_LENGTHS: Record<string, number> = {
    LastName: 80,
    FirstName: 40,
    Company: 255,
    Email: 80,
    Phone: 40,
    Title: 128,
    Status: 255,
    LeadSource: 255
};
const API_NAME = /^[A-Za-z][A-Za-z0-9_]{0,79}$/;

/**
 * Standard lookup fields an extra field may set; their value must be a record id. (Names ending in "Id" are not all
 * lookups: Lead's JigsawContactId is text, so only these are checked.)
 */
const LOOKUP_FIELDS = /^(?:Owner|Account|Contact|Campaign|RecordType|Pricebook2|Parent)Id$/i;

/**
 * Control characters (C0, DEL, C1) are refused. Salesforce records also travel through its XML APIs (SOAP, Bulk
 * API, exports), and XML 1.0 allows no control character but tab, LF and CR (XML 1.0, section 2.2, the Char
 * production), so a NUL, BEL or ESC stored through REST breaks every XML reader of the record. Text areas
 * (Description, Street) hold line breaks and tabs, so they keep tab, LF and CR; single-line text fields (Text, Email,
 * Phone, Picklist: the Lead and Opportunity object reference's field types) take none, as Salesforce's own edit page
 * cannot enter one there. Extra fields, whose types are not known here, are held to the text-area rule.
 */
function controlCharacter(value: string, textArea: boolean): string | null {
    for (const ch of value) {
        const code = ch.codePointAt(0)!;
        if (code >= 0x20 && (code < 0x7f || code > 0x9f)) continue;
        if (textArea && (code === 0x09 || code === 0x0a || code === 0x0d)) continue;
        return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
    }
    return null;
}

function controlProblem<T>(field: string, value: string, textArea: boolean): Checked<T> | null {
    const found = controlCharacter(value, textArea);
    if (found === null) return null;
    const kind = textArea
        ? 'Salesforce text fields take no control character but tab and line breaks'
        : 'a single-line Salesforce text field takes no control character, tab or line break';
    return problem('INVALID_INPUT', `${field}: contains the control character ${found}; ${kind}`, [field]);
}

function problem<T>(errorCode: string, message: string, fields: string[]): Checked<T> {
    return { ok: false, problem: { errorCode, message: `${message} (checked before calling Salesforce; nothing was sent)`, fields } };
}

/** zod's first complaint, named by field (`to[0].email` style, as every action names fields). */
function schemaProblem<T>(issue: InputIssue): Checked<T> {
    return problem('INVALID_INPUT', `${issue.field ?? 'input'}: ${issue.message}`, issue.field === null ? [] : [issue.field]);
}

/** Extra fields: plain API names, not Id, not one the input already sets, scalar values. */
function checkExtraFields(extra: SalesforceExtraFields | undefined, taken: readonly string[]): Checked<Record<string, FieldValue>> {
    const out: Record<string, FieldValue> = {};
    const takenLower = new Set(taken.map((t) => t.toLowerCase()));
    for (const [name, value] of Object.entries(extra ?? {})) {
        if (!API_NAME.test(name))
            return problem('INVALID_FIELD', `extraFields: ${JSON.stringify(name)} is not a Salesforce field API name`, [name]);
        if (name.toLowerCase() === 'id') return problem('INVALID_FIELD', 'extraFields: the Id field cannot be set', [name]);
        if (takenLower.has(name.toLowerCase()))
            return problem('INVALID_FIELD', `extraFields: ${name} is already given as a named input field`, [name]);
        if (typeof value === 'number' && !Number.isFinite(value))
            return problem('INVALID_FIELD', `extraFields: ${name} must be a finite number`, [name]);
        if (typeof value === 'string') {
            const control = controlProblem<Record<string, FieldValue>>(name, value, true);
            if (control) return control;
            if (LOOKUP_FIELDS.test(name) && idProblem(value) !== null)
                return problem('MALFORMED_ID', `extraFields: ${name} ${JSON.stringify(value)} is not a 15- or 18-character Salesforce id`, [
                    name
                ]);
        }
        out[name] = value;
    }
    return { ok: true, value: out };
}

export interface LeadCreate {
    /** The lead's fields by Salesforce name. */
    body: Record<string, FieldValue>;
    idempotencyKey: string | null;
    /** Salesforce spellings the caller used (`LastName`...), each with our name, for a warning. */
    legacyKeys: [legacy: string, ours: string][];
}

/**
 * Our input names and the Salesforce fields they set. Action inputs use our names (those of the SalesforceLead and
 * SalesforceOpportunity models, so a cached record's keys can be sent back as they are); extraFields alone use
 * Salesforce API names, since they are passed through unmapped.
 */
const LEAD_API_NAMES = {
    lastName: 'LastName',
    company: 'Company',
    firstName: 'FirstName',
    email: 'Email',
    phone: 'Phone',
    title: 'Title',
    status: 'Status',
    leadSource: 'LeadSource'
} as const;

/**
 * An idempotency key goes into a URL path (sobjects/Lead/<field>/<key>): no `/`, no `.` (Salesforce reads a trailing
 * `.json`/`.xml`-like part as a format, the upsert guide's ".inc" caveat), nothing to escape.
 */
const IDEMPOTENCY_KEY = /^[A-Za-z0-9_:-]{1,255}$/;

/** The create-lead body, by Salesforce field name, and its idempotency key, or the first problem. */
export function checkCreateLead(input: unknown): Checked<LeadCreate> {
    const parsed = checkInput(CreateLeadInput, input);
    if (!parsed.ok) return schemaProblem(parsed.issue);
    const { extraFields, idempotencyKey, ...given } = parsed.value;
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey))
        return problem('INVALID_INPUT', 'idempotencyKey must be 1 to 255 letters, digits, _, - or :', ['idempotencyKey']);
    // Each field under the name the caller used, so a problem names what they sent.
    const named: { key: string; apiName: string; value: string | undefined }[] = [];
    const legacyKeys: [string, string][] = [];
    for (const [ours, apiName] of Object.entries(LEAD_API_NAMES) as [
        keyof typeof LEAD_API_NAMES,
        (typeof LEAD_API_NAMES)[keyof typeof LEAD_API_NAMES]
    ][]) {
        const legacy = given[apiName];
        if (legacy !== undefined && given[ours] !== undefined)
            return problem('INVALID_INPUT', `${ours} and ${apiName} are the same field: give only ${ours}`, [ours, apiName]);
        if (legacy !== undefined) legacyKeys.push([apiName, ours]);
        named.push({ key: legacy !== undefined ? apiName : ours, apiName, value: legacy ?? given[ours] });
    }
    const missing = named.filter((f) => (f.apiName === 'LastName' || f.apiName === 'Company') && (f.value ?? '').trim() === '');
    if (missing.length > 0) {
        // A caller still on the old spellings is told the absent fields in them too.
        const keys = missing.map((f) => (f.value === undefined && legacyKeys.length > 0 ? f.apiName : f.key));
        return problem('REQUIRED_FIELD_MISSING', `Required fields are missing: [${keys.join(', ')}]`, keys);
    }
    const body: Record<string, FieldValue> = {};
    for (const { key, apiName, value } of named) {
        if (value === undefined) continue;
        const control = controlProblem<LeadCreate>(key, value, false);
        if (control) return control;
        const max = LEAD_LENGTHS[apiName];
        if (max !== undefined && value.length > max)
            return problem('STRING_TOO_LONG', `${key}: data value too large (max length=${max})`, [key]);
        if (apiName === 'Email' && value !== '' && !isValidEmail(value))
            return problem('INVALID_EMAIL_ADDRESS', `${key}: invalid email address: ${value}`, [key]);
        body[apiName] = value;
    }
    const extra = checkExtraFields(extraFields, Object.keys(body));
    if (!extra.ok) return extra;
    return { ok: true, value: { body: { ...body, ...extra.value }, idempotencyKey: idempotencyKey ?? null, legacyKeys } };
}

/** Our names for the opportunity fields an update may set, and their Salesforce API names. */
const OPPORTUNITY_API_NAMES = {
    name: 'Name',
    amount: 'Amount',
    stageName: 'StageName',
    closeDate: 'CloseDate',
    probability: 'Probability',
    nextStep: 'NextStep',
    description: 'Description'
} as const;

const OPPORTUNITY_LENGTHS: Record<string, number> = { Name: 120, StageName: 255, NextStep: 255, Description: 32000 };
/** Opportunity's long text area; the other text inputs are single-line fields. */
const OPPORTUNITY_TEXT_AREAS = new Set(['Description']);

export interface OpportunityUpdate {
    /** The 18-character id. */
    id: string;
    body: Record<string, FieldValue>;
    /** The If-Unmodified-Since date (ms) when the caller gave lastModifiedDate. */
    ifUnmodifiedSince: number | null;
}

/** The PATCH body of update-opportunity (only the fields given), or the first problem. */
export function checkUpdateOpportunity(input: unknown): Checked<OpportunityUpdate> {
    const parsed = checkInput(UpdateOpportunityInput, input);
    if (!parsed.ok) return schemaProblem(parsed.issue);
    const { id, extraFields, lastModifiedDate, ...named } = parsed.value;
    const idIssue = idProblem(id, KEY_PREFIX.Opportunity);
    if (idIssue) {
        const why = {
            format: 'is not a 15- or 18-character Salesforce id',
            checksum: 'has an 18-character suffix that does not match its first 15 characters',
            prefix: `is not an Opportunity id (Opportunity ids start with ${KEY_PREFIX.Opportunity})`
        }[idIssue];
        return problem('MALFORMED_ID', `id ${JSON.stringify(id)} ${why}`, ['id']);
    }
    const body: Record<string, FieldValue> = {};
    for (const [ours, apiName] of Object.entries(OPPORTUNITY_API_NAMES) as [keyof typeof OPPORTUNITY_API_NAMES, string][]) {
        const value = named[ours];
        if (value === undefined) continue;
        if (typeof value === 'string') {
            const control = controlProblem<OpportunityUpdate>(ours, value, OPPORTUNITY_TEXT_AREAS.has(apiName));
            if (control) return control;
            const max = OPPORTUNITY_LENGTHS[apiName];
            if (max !== undefined && value.length > max)
                return problem('STRING_TOO_LONG', `${ours}: data value too large (max length=${max})`, [ours]);
            if ((ours === 'name' || ours === 'stageName') && value.trim() === '')
                return problem('REQUIRED_FIELD_MISSING', `${ours} cannot be blank`, [ours]);
            if (ours === 'closeDate' && !isCalendarDate(value))
                return problem('INVALID_INPUT', `closeDate must be a date as YYYY-MM-DD, got ${JSON.stringify(value)}`, [ours]);
            if (ours === 'closeDate' && !isWithinSalesforceDates(value, parseIsoDateTime(value)!))
                return problem(
                    'INVALID_INPUT',
                    `closeDate must lie between 1700-01-01 and 4000-12-31, the dates Salesforce holds, got ${JSON.stringify(value)}`,
                    [ours]
                );
        }
        if (typeof value === 'number') {
            if (!Number.isFinite(value)) return problem('INVALID_INPUT', `${ours} must be a finite number`, [ours]);
            if (ours === 'probability' && (value < 0 || value > 100))
                return problem('NUMBER_OUTSIDE_VALID_RANGE', 'probability must be between 0 and 100', [ours]);
            if (ours === 'amount' && Math.abs(value) >= 1e16)
                return problem('NUMBER_OUTSIDE_VALID_RANGE', 'amount is outside the range of a Salesforce currency field', [ours]);
        }
        body[apiName] = value;
    }
    const extra = checkExtraFields(extraFields, Object.keys(body));
    if (!extra.ok) return extra;
    const all = { ...body, ...extra.value };
    if (Object.keys(all).length === 0) return problem('INVALID_INPUT', 'nothing to update: give at least one field besides id', []);
    let ifUnmodifiedSince: number | null = null;
    if (lastModifiedDate !== undefined) {
        const ms = parseIsoDateTime(lastModifiedDate);
        if (ms === null || !isWithinSalesforceDates(lastModifiedDate, ms))
            return problem(
                'INVALID_INPUT',
                `lastModifiedDate must be an ISO 8601 date-time between 1700 and 4000, such as 2026-01-15T12:00:00.000Z, got ${JSON.stringify(lastModifiedDate)}`,
                ['lastModifiedDate']
            );
        ifUnmodifiedSince = ms;
    }
    return { ok: true, value: { id: toId18(id), body: all, ifUnmodifiedSince } };
}

function isCalendarDate(value: string): boolean {
    return /^\d{4}-\d{2}-\d{2}$/.test(value) && parseIsoDateTime(value) !== null;
}
