import { createAction } from 'nango';
import { UpdateOpportunityInput, UpdateOpportunityOutput } from '../../../models.js';

// Placeholder: the provider issue replaces this with the real action.
const action = createAction({
    description: 'Placeholder for update-opportunity',
    version: '0.0.1',
    input: UpdateOpportunityInput,
    output: UpdateOpportunityOutput,
    exec: async (nango) => {
        throw new nango.ActionError({ message: 'not implemented yet' });
    }
});
export default action;
