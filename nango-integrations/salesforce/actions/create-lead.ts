import { createAction } from 'nango';
import { CreateLeadInput, SalesforceRecord } from '../../../models.js';

// Placeholder: the provider issue replaces this with the real action.
const action = createAction({
    description: 'Placeholder for create-lead',
    version: '0.0.1',
    input: CreateLeadInput,
    output: SalesforceRecord,
    exec: async (nango) => {
        throw new nango.ActionError({ message: 'not implemented yet' });
    }
});
export default action;
