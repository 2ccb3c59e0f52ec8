import { createAction } from 'nango';
import { UpdateEventInput, GoogleCalendarEvent } from '../../../models.js';

// Placeholder: the provider issue replaces this with the real action.
const action = createAction({
    description: 'Placeholder for update-event',
    version: '0.0.1',
    input: UpdateEventInput,
    output: GoogleCalendarEvent,
    exec: async (nango) => {
        throw new nango.ActionError({ message: 'not implemented yet' });
    }
});
export default action;
