import { createAction } from 'nango';
import { CreateLeadInput, SalesforceRecord } from '../../../models.js';
import { dataPath, withSessionRetry } from '../api.js';
import { actionErrorPayload, SalesforceRequestError } from '../errors.js';
import { checkCreateLead } from '../inputs.js';
import { SalesforceCreateResponse } from '../schemas.js';

/**
 * Creates one lead. The input is checked first (LastName and Company required, lengths, email format); Salesforce's
 * own refusals (duplicate rules, validation rules, picklists) come back as an ActionError carrying its errorCode,
 * message and fields. The POST is never retried automatically: a create that timed out may exist already.
 */
const action = createAction({
    description: 'Create a Salesforce lead; returns its id and the fields sent',
    version: '1.0.0',
    scopes: ['api', 'refresh_token'],
    input: CreateLeadInput,
    output: SalesforceRecord,
    exec: async (nango, input): Promise<SalesforceRecord> => {
        const checked = checkCreateLead(input);
        if (!checked.ok) throw new nango.ActionError({ ...checked.problem });
        const body = checked.value;
        try {
            // A 401 means Salesforce applied nothing, so that one case is sent again (with Nango's refreshed token).
            const response = await withSessionRetry(nango, 'POST sobjects/Lead', () =>
                // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_sobject_create.htm
                nango.post({ endpoint: dataPath('sobjects/Lead'), data: body, retries: 0 })
            );
            const created = SalesforceCreateResponse.parse(response.data);
            return { id: created.id, success: created.success, fields: body };
        } catch (error) {
            if (error instanceof SalesforceRequestError) throw new nango.ActionError(actionErrorPayload(error.failure));
            throw error;
        }
    }
});
export default action;
