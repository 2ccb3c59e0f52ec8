import { createAction } from 'nango';
import { ReplyEmailInput, ReplyEmailOutput } from '../../../models.js';

// Placeholder: the provider issue replaces this with the real action.
const action = createAction({
    description: 'Placeholder for reply-email',
    version: '0.0.1',
    input: ReplyEmailInput,
    output: ReplyEmailOutput,
    exec: async (nango) => {
        throw new nango.ActionError({ message: 'not implemented yet' });
    }
});
export default action;
