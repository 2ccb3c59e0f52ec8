import { createAction, type NangoAction } from 'nango';
import { CreateLeadInput, SalesforceRecord } from '../../../models.js';
import { dataPath, READ_RETRIES, withSessionRetry } from '../api.js';
import { actionErrorPayload, describeFailure, isOutcomeUnknown, SalesforceRequestError } from '../errors.js';
import { checkCreateLead } from '../inputs.js';
import { readSalesforceSettings } from '../metadata.js';
import { SalesforceCreateResponse, SalesforceUpsertResponse } from '../schemas.js';

/**
 * Creates one lead. The input is checked first (lastName and company required, lengths, email format); Salesforce's
 * own refusals (duplicate rules, validation rules, picklists) come back as an ActionError carrying its errorCode,
 * message and fields. The request is never re-sent automatically (only after a 401, when nothing was applied): a
 * create whose answer was lost may exist already, and the caller is told so (`outcome_unknown`).
 *
 * With `idempotencyKey` and the connection metadata's `leadExternalIdField` (a Lead External ID field), the lead is
 * upserted through that field instead: a caller's retry with the same key finds the lead the first call made.
 */
const action = createAction({
    description: 'Create a Salesforce lead (or, with an idempotency key, find the one already made); returns its id and the fields sent',
    version: '1.1.0',
    scopes: ['api', 'refresh_token'],
    input: CreateLeadInput,
    output: SalesforceRecord,
    exec: async (nango, input): Promise<SalesforceRecord> => {
        const checked = checkCreateLead(input);
        if (!checked.ok) throw new nango.ActionError({ ...checked.problem });
        const { body, idempotencyKey, legacyKeys } = checked.value;
        if (legacyKeys.length > 0) {
            await nango.log(
                `create-lead input uses the old Salesforce spellings ${legacyKeys.map(([legacy, ours]) => `${legacy} (now ${ours})`).join(', ')}: they still work, but send our names instead`,
                { level: 'warn' }
            );
        }
        const settings = readSalesforceSettings(await nango.getMetadata());
        if (!settings.ok) throw new nango.ActionError({ errorCode: 'INVALID_INPUT', message: settings.problem, fields: [] });
        const keyField = settings.value.leadExternalIdField;
        if (idempotencyKey !== null && keyField === null) {
            throw new nango.ActionError({
                errorCode: 'INVALID_INPUT',
                message:
                    "idempotencyKey needs a Lead External ID field named in the connection metadata's leadExternalIdField (e.g. External_Key__c); nothing was sent",
                fields: ['idempotencyKey']
            });
        }
        try {
            if (idempotencyKey !== null && keyField !== null) return await upsertLead(nango, keyField, idempotencyKey, body);
            const response = await withSessionRetry(nango, 'POST sobjects/Lead', () =>
                // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_sobject_create.htm
                nango.post({ endpoint: dataPath('sobjects/Lead'), data: body, retries: 0 })
            );
            const created = SalesforceCreateResponse.parse(response.data);
            return { id: created.id, success: created.success, created: true, fields: body };
        } catch (error) {
            if (!(error instanceof SalesforceRequestError)) throw error;
            const payload = actionErrorPayload(error.failure);
            if (isOutcomeUnknown(error.failure)) {
                const retry =
                    idempotencyKey !== null
                        ? 'Send it again with the same idempotencyKey: that finds the lead if it was made.'
                        : 'Look for the lead (or wait for the next salesforce-leads run) before sending it again: a repeat may make a duplicate. An idempotencyKey with a leadExternalIdField makes repeats safe.';
                throw new nango.ActionError({
                    ...payload,
                    type: 'outcome_unknown',
                    message: `No answer from Salesforce to the lead's creation (${describeFailure(error.failure)}): it may or may not have been made, and it was not sent again. ${retry}`
                });
            }
            throw new nango.ActionError(payload);
        }
    }
});
export default action;

/**
 * PATCH sobjects/Lead/<field>/<key>: 201 when Salesforce made the lead, 200 (`created: false`) when a lead already
 * had that key and was updated with the same fields; several leads with that key answer 300, which the proxy throws
 * like any refusal. The key field itself is not in the body (Salesforce refuses it
 * there); it is echoed in `fields`.
 */
async function upsertLead(
    nango: Pick<NangoAction, 'patch' | 'get' | 'log'>,
    keyField: string,
    key: string,
    body: Record<string, string | number | boolean | null>
): Promise<SalesforceRecord> {
    const path = `sobjects/Lead/${keyField}/${key}`;
    const response = await withSessionRetry(nango, `PATCH ${path}`, () =>
        // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_upsert.htm
        nango.patch({ endpoint: dataPath(path), data: body, retries: 0 })
    );
    const fields = { ...body, [keyField]: key };
    const upserted = SalesforceUpsertResponse.safeParse(response.data);
    if (upserted.success)
        return { id: upserted.data.id, success: upserted.data.success, created: upserted.data.created ?? response.status === 201, fields };
    // Before API 46.0 an update answered 204 without a body: read the lead's id by its key.
    const found = await withSessionRetry(nango, `GET ${path}`, () =>
        nango.get({ endpoint: dataPath(path), params: { fields: 'Id' }, retries: READ_RETRIES })
    );
    return { id: String((found.data as { Id?: unknown }).Id), success: true, created: false, fields };
}
