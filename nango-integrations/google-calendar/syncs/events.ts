import { createSync } from 'nango';
import { GoogleCalendarEvent } from '../../../models.js';

// Placeholder: the provider issue replaces this with the real sync.
const sync = createSync({
    description: 'Placeholder for events',
    version: '0.0.1',
    frequency: 'every 10 minutes',
    autoStart: true,
    models: { GoogleCalendarEvent },
    exec: async (nango) => {
        await nango.log('not implemented yet');
    }
});
export default sync;
