import { createOnEvent } from 'nango';
import { GmailThreadsMetadata } from '../../../models.js';
import { describeFailure } from '../../shared/google-errors.js';
import { GMAIL_METADATA_EXPECTED, readMetadata } from '../metadata.js';
import { READ_RETRIES } from '../pages.js';
import { GmailProfile } from '../schemas.js';
import { startWatch } from '../watch.js';

/**
 * Records the mailbox's address in metadata.emailAddress, which Nango matches a Gmail push against when the
 * connection has no connection_config.emailAddressHash (docs/api-integrations/google-mail/webhooks.mdx, "Connection
 * matching"), and, when metadata.pushTopic names a Pub/Sub topic, starts the Gmail watch and records it (watch.ts).
 * A refused watch fails this event with Gmail's reason; the next gmail-threads run tries again.
 */
export default createOnEvent({
    event: 'post-connection-creation',
    description: 'Records the mailbox address for push routing and, when metadata.pushTopic is set, starts the Gmail push watch.',
    version: '1.0.0',
    metadata: GmailThreadsMetadata,
    exec: async (nango) => {
        const metadata = readMetadata(GmailThreadsMetadata, await nango.getMetadata(), GMAIL_METADATA_EXPECTED);
        // https://developers.google.com/workspace/gmail/api/reference/rest/v1/users/getProfile
        const profile = GmailProfile.parse((await nango.get({ endpoint: '/gmail/v1/users/me/profile', retries: READ_RETRIES })).data);
        await nango.updateMetadata({ emailAddress: profile.emailAddress });
        if (!metadata.pushTopic) {
            await nango.log(`Connected ${profile.emailAddress}; push is off (no metadata.pushTopic)`);
            return;
        }
        try {
            await nango.updateMetadata(await startWatch(nango, metadata, Date.now()));
        } catch (error) {
            throw new Error(
                `Gmail refused the watch on ${metadata.pushTopic} (${describeFailure(error)}); the next gmail-threads run tries again`,
                { cause: error }
            );
        }
    }
});
