import { createOnEvent } from 'nango';

/** Nothing to stop: the Salesforce scripts start no watch, subscription or job outside Nango. */
export default createOnEvent({
    description: 'Logs the deletion of a Salesforce connection; nothing runs outside Nango to stop.',
    version: '1.0.0',
    event: 'pre-connection-deletion',
    exec: async (nango) => {
        await nango.log(`Salesforce connection ${nango.connectionId} deleted: no watch or subscription to stop`);
    }
});
