import { createOnEvent } from 'nango';
import { GmailThreadsMetadata } from '../../../models.js';
import { describeFailure } from '../../shared/google-errors.js';
import { GMAIL_METADATA_EXPECTED, readMetadata } from '../metadata.js';
import { READ_RETRIES } from '../pages.js';
import { GmailProfile } from '../schemas.js';
import { grantedScopes, missingScopes } from '../scopes.js';

/**
 * Runs when a connection is created and when it is reconnected; throwing refuses it (Nango deletes a new connection,
 * marks a reconnected one as needing a reconnect: docs/guides/functions/event-functions.mdx in NangoHQ/nango).
 * Refuses: granted scopes that do not cover what the google-mail scripts call (named in the refusal), a profile that
 * cannot be read, and a reconnect with another mailbox than the one the cache holds (metadata.emailAddress, set by
 * post-connection-creation; on a reconnect Nango already holds the new credentials, so the live profile is compared).
 */
export default createOnEvent({
    event: 'validate-connection',
    description:
        'Checks that the Gmail account granted the scopes the google-mail scripts need, that its profile is readable, and that a reconnect keeps the same mailbox.',
    version: '1.0.0',
    metadata: GmailThreadsMetadata,
    exec: async (nango) => {
        // Google's token answer always lists the granted scopes; credentials imported without it cannot be checked,
        // and the calls below and in the scripts still fail loudly (403) on a scope that is missing.
        const granted = grantedScopes(await nango.getConnection());
        if (granted === null) {
            await nango.log("The connection's credentials do not list the granted scopes (credentials.raw.scope): scopes not checked", {
                level: 'warn'
            });
        } else {
            const missing = missingScopes(granted);
            if (missing.length > 0) {
                throw new Error(`The Gmail account did not grant ${missing.join(', ')}: reconnect it and accept every permission asked`);
            }
        }

        let profile: GmailProfile;
        try {
            // https://developers.google.com/workspace/gmail/api/reference/rest/v1/users/getProfile
            profile = GmailProfile.parse((await nango.get({ endpoint: '/gmail/v1/users/me/profile', retries: READ_RETRIES })).data);
        } catch (error) {
            throw new Error(`The Gmail profile cannot be read (${describeFailure(error)}): is Gmail enabled for this account?`, {
                cause: error
            });
        }

        const metadata = readMetadata(GmailThreadsMetadata, await nango.getMetadata(), GMAIL_METADATA_EXPECTED);
        if (metadata.emailAddress && metadata.emailAddress.toLowerCase() !== profile.emailAddress.toLowerCase()) {
            throw new Error(
                `This connection holds the mailbox ${metadata.emailAddress}; it was reconnected with ${profile.emailAddress}. Reconnect with ${metadata.emailAddress}, or create a new connection for the other mailbox`
            );
        }
        await nango.log(`Gmail connection for ${profile.emailAddress} validated`);
    }
});
