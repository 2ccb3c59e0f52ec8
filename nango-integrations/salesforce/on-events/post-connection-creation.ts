import { createOnEvent } from 'nango';
import { readIdentity } from '../connection-checks.js';

/**
 * Logs who connected. Nothing is stored: Salesforce has no push for Nango to route (its webhook route reads the
 * connection id from the callout itself), and the scripts' metadata accepts no other keys.
 */
export default createOnEvent({
    description: 'Logs the Salesforce user and org of a new connection.',
    version: '1.0.0',
    event: 'post-connection-creation',
    exec: async (nango) => {
        const identity = await readIdentity(nango);
        await nango.log(
            `Salesforce connection created for ${identity.preferred_username ?? identity.user_id} (user ${identity.user_id}, org ${identity.organization_id}); records arrive by polling`
        );
    }
});
