import { createSync } from 'nango';
import { GmailThread } from '../../../models.js';

// Placeholder: the provider issue replaces this with the real sync.
const sync = createSync({
    description: 'Placeholder for gmail-threads',
    version: '0.0.1',
    frequency: 'every 5 minutes',
    autoStart: true,
    models: { GmailThread },
    exec: async (nango) => {
        await nango.log('not implemented yet');
    }
});
export default sync;
