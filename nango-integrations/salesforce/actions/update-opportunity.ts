import { createAction, type NangoAction } from 'nango';
import { UpdateOpportunityInput, UpdateOpportunityOutput, type SalesforceOpportunity } from '../../../models.js';
import { dataPath, READ_RETRIES, withSessionRetry } from '../api.js';
import { actionErrorPayload, describeFailure, hasErrorCode, isOutcomeUnknown, SalesforceRequestError } from '../errors.js';
import { checkUpdateOpportunity } from '../inputs.js';
import { toSalesforceOpportunity } from '../mappers.js';
import { SalesforceOpportunityRow } from '../schemas.js';

/**
 * Updates the given fields of one opportunity (and only those). The id must be an Opportunity id (key prefix 006,
 * a valid 18-character suffix) before any call. Salesforce answers 204; a deleted or unknown record gives an
 * ActionError that says which.
 *
 * The PATCH is never sent twice on its own (only after a 401, when Salesforce applied nothing): a re-send after a
 * lost answer would overwrite, without a word, whatever someone changed in between. With `lastModifiedDate`, the
 * PATCH carries If-Unmodified-Since and Salesforce refuses it (412) if the record changed since; the caller gets a
 * `conflict` with the record's current values, and a caller's own retry after an unknown outcome is safe.
 */
const action = createAction({
    description: 'Update fields of a Salesforce opportunity; returns the id and the Salesforce fields sent',
    version: '1.1.0',
    scopes: ['api', 'refresh_token'],
    input: UpdateOpportunityInput,
    output: UpdateOpportunityOutput,
    exec: async (nango, input): Promise<UpdateOpportunityOutput> => {
        const checked = checkUpdateOpportunity(input);
        if (!checked.ok) throw new nango.ActionError({ ...checked.problem });
        const { id, body, ifUnmodifiedSince } = checked.value;
        // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/intro_rest_conditional_requests.htm
        const headers: Record<string, string> =
            ifUnmodifiedSince === null ? {} : { 'If-Unmodified-Since': new Date(ifUnmodifiedSince).toUTCString() };
        try {
            await withSessionRetry(nango, `PATCH sobjects/Opportunity/${id}`, () =>
                // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_update_fields.htm
                nango.patch({ endpoint: dataPath(`sobjects/Opportunity/${id}`), data: body, headers, retries: 0 })
            );
        } catch (error) {
            if (!(error instanceof SalesforceRequestError)) throw error;
            const payload = actionErrorPayload(error.failure);
            if (error.failure.status === 412 && ifUnmodifiedSince !== null) {
                const current = await currentOpportunity(nango, id);
                throw new nango.ActionError({
                    ...payload,
                    type: 'conflict',
                    id,
                    message: `Opportunity ${id} was changed at ${current.lastModifiedDate ?? 'an unknown time'}, after the given lastModifiedDate ${new Date(ifUnmodifiedSince).toISOString()}: nothing was updated. Its current values are in current.`,
                    current
                });
            }
            if (isOutcomeUnknown(error.failure)) {
                throw new nango.ActionError({
                    ...payload,
                    type: 'outcome_unknown',
                    id,
                    message: `No answer from Salesforce to the update of opportunity ${id} (${describeFailure(error.failure)}): it may or may not have been applied, and it was not sent again. Read the opportunity (or wait for the next salesforce-opportunities run) before sending it again; sent with lastModifiedDate, a repeat is refused as a conflict if the first one was applied.`
                });
            }
            if (hasErrorCode(error.failure, 'ENTITY_IS_DELETED')) {
                throw new nango.ActionError({
                    ...payload,
                    message: `Opportunity ${id} is deleted (it is in the recycle bin): it cannot be updated`
                });
            }
            if (hasErrorCode(error.failure, 'NOT_FOUND')) {
                throw new nango.ActionError({ ...payload, message: `No opportunity with id ${id} exists in this org` });
            }
            throw new nango.ActionError(payload);
        }
        return { id, success: true, updatedFields: Object.keys(body) };
    }
});
export default action;

/** The record as it is now, in the sync's model, for a conflict's caller. */
async function currentOpportunity(nango: Pick<NangoAction, 'get' | 'log'>, id: string): Promise<SalesforceOpportunity> {
    // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_sobject_retrieve_get.htm
    const response = await withSessionRetry(nango, `GET sobjects/Opportunity/${id}`, () =>
        nango.get({ endpoint: dataPath(`sobjects/Opportunity/${id}`), retries: READ_RETRIES })
    );
    return toSalesforceOpportunity(SalesforceOpportunityRow.parse(response.data));
}
