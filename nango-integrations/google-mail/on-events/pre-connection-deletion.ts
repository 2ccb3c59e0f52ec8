import { createOnEvent } from 'nango';
import { GmailThreadsMetadata } from '../../../models.js';
import { stopWatch } from '../watch.js';

/**
 * Stops the Gmail watch before Nango deletes the connection, so Gmail stops publishing for a mailbox nobody syncs.
 * Called whether or not push was on (stop is idempotent, and a watch may outlive metadata), and never fails: a watch
 * already gone, a revoked token or an outage must not keep the connection from being deleted (watch.ts stopWatch).
 */
export default createOnEvent({
    event: 'pre-connection-deletion',
    description: 'Stops the Gmail push watch of the mailbox; never blocks the deletion.',
    version: '1.0.0',
    metadata: GmailThreadsMetadata,
    exec: async (nango) => {
        await stopWatch(nango);
    }
});
