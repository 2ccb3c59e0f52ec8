import { createAction } from 'nango';
import { SendEmailInput, SendEmailOutput } from '../../../models.js';

// Placeholder: the provider issue replaces this with the real action.
const action = createAction({
    description: 'Placeholder for send-email',
    version: '0.0.1',
    input: SendEmailInput,
    output: SendEmailOutput,
    exec: async (nango) => {
        throw new nango.ActionError({ message: 'not implemented yet' });
    }
});
export default action;
