import { createAction } from 'nango';
import { UpdateOpportunityInput, UpdateOpportunityOutput } from '../../../models.js';
import { dataPath, READ_RETRIES, withSessionRetry } from '../api.js';
import { actionErrorPayload, hasErrorCode, SalesforceRequestError } from '../errors.js';
import { checkUpdateOpportunity } from '../inputs.js';

/**
 * Updates the given fields of one opportunity (and only those). The id must be an Opportunity id (key prefix 006,
 * a valid 18-character suffix) before any call. Salesforce answers 204; a deleted or unknown record gives an
 * ActionError that says which.
 */
const action = createAction({
    description: 'Update fields of a Salesforce opportunity; returns the id and the Salesforce fields sent',
    version: '1.0.0',
    scopes: ['api', 'refresh_token'],
    input: UpdateOpportunityInput,
    output: UpdateOpportunityOutput,
    exec: async (nango, input): Promise<UpdateOpportunityOutput> => {
        const checked = checkUpdateOpportunity(input);
        if (!checked.ok) throw new nango.ActionError({ ...checked.problem });
        const { id, body } = checked.value;
        try {
            // Setting the same values twice leaves the same record, so a PATCH may be retried like a read.
            await withSessionRetry(nango, `PATCH sobjects/Opportunity/${id}`, () =>
                // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_update_fields.htm
                nango.patch({ endpoint: dataPath(`sobjects/Opportunity/${id}`), data: body, retries: READ_RETRIES })
            );
        } catch (error) {
            if (!(error instanceof SalesforceRequestError)) throw error;
            const payload = actionErrorPayload(error.failure);
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
