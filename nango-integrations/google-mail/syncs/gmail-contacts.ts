import { createSync } from 'nango';
import { GoogleContact } from '../../../models.js';

// Placeholder: the provider issue replaces this with the real sync.
const sync = createSync({
    description: 'Placeholder for gmail-contacts',
    version: '0.0.1',
    frequency: 'every hour',
    autoStart: true,
    models: { GoogleContact },
    exec: async (nango) => {
        await nango.log('not implemented yet');
    }
});
export default sync;
