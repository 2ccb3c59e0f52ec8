/**
 * Which of a model's fields this org can answer, from sObject Describe, asked only as far as it changed.
 *
 * Salesforce answers a describe sent with `If-Modified-Since` by 304 Not Modified, without a body, when the object's
 * metadata has not changed since that date (REST API Developer Guide, "sObject Describe" and "Get Object Metadata
 * Changes"). The checkpoint keeps what the sync needs from the last full answer (the fields it found, comma-joined),
 * the date to send next time, and which question that answer was to (`describedFor`: the API version and our field
 * list, hashed), so a 304 lets the run reuse it and a new field list or API version asks afresh.
 *
 * The date sent is the moment the full describe was sent, on the worker's clock, minus DESCRIBE_MARGIN_MS: a change
 * Salesforce made while it answered, or one its clock places a little earlier than ours, is still after it. A margin
 * too wide costs only a full describe more.
 */
import { createHash } from 'crypto';
import type { NangoSync } from 'nango';
import { API_VERSION, dataPath, READ_RETRIES, withSessionRetry } from './api.js';
import { SalesforceRequestError } from './errors.js';
import { CURSOR_FIELDS, isQueryable } from './fields.js';
import { SalesforceDescribe } from './schemas.js';

type Caller = Pick<NangoSync, 'get' | 'log'>;

const DESCRIBE_MARGIN_MS = 5 * 60_000;

/** What the checkpoint keeps of the last describe. */
export interface Described {
    /** The fields of ours the org has, in our order. */
    fields: string[];
    /** HTTP-date to send as If-Modified-Since next time; '' for none. */
    describedAt: string;
    describedFor: string;
}

/** Which question a describe answers: the object, the API version and the fields we ask about. */
export function describeKey(object: string, fields: readonly string[]): string {
    return createHash('sha256')
        .update(`${API_VERSION} ${object} ${fields.join(',')}`)
        .digest('base64')
        .slice(0, 12);
}

/**
 * What an earlier describe said, as a checkpoint holds it, if it answers this question: only our own field names
 * come out of it (a checkpoint's text never reaches SOQL), and one without the cursor fields is not reused.
 */
export function reusableDescribe(
    object: string,
    fields: readonly string[],
    saved: { fields: string; describedAt: string; describedFor: string }
): Described | null {
    if (saved.describedAt === '' || saved.describedFor !== describeKey(object, fields)) return null;
    const names = new Set(saved.fields.split(','));
    if (!CURSOR_FIELDS.every((f) => names.has(f))) return null;
    return { fields: fields.filter((f) => names.has(f)), describedAt: saved.describedAt, describedFor: saved.describedFor };
}

/** The model's fields this org has, asked once per run; the ones it lacks stay null in the cache. */
export async function queryableFields(
    nango: Caller,
    object: string,
    fields: readonly string[],
    earlier: Described | null
): Promise<Described> {
    const what = `GET sobjects/${object}/describe`;
    const sentAt = Date.now();
    const headers = earlier ? { 'If-Modified-Since': earlier.describedAt } : {};
    let described: Described;
    try {
        // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_sobject_describe.htm
        const response = await withSessionRetry(nango, what, () =>
            nango.get({ endpoint: dataPath(`sobjects/${object}/describe`), headers, retries: READ_RETRIES })
        );
        const answer = SalesforceDescribe.parse(response.data).fields;
        const present = (field: string): boolean => isQueryable(field, answer);
        const cursorMissing = CURSOR_FIELDS.filter((f) => !present(f));
        if (cursorMissing.length > 0)
            throw new Error(`The ${object} object has no ${cursorMissing.join(', ')}: it cannot be synced incrementally`);
        described = {
            fields: fields.filter(present),
            describedAt: new Date(sentAt - DESCRIBE_MARGIN_MS).toUTCString(),
            describedFor: describeKey(object, fields)
        };
    } catch (error) {
        if (!earlier || !(error instanceof SalesforceRequestError) || error.failure.status !== 304) throw error;
        described = earlier;
    }
    const missing = fields.filter((f) => !described.fields.includes(f));
    if (missing.length > 0) {
        await nango.log(
            `This org's ${object} has no ${missing.join(', ')}: ${missing.length === 1 ? 'it is' : 'they are'} stored as null`,
            {
                level: 'warn'
            }
        );
    }
    return described;
}
