import { createOnEvent } from 'nango';
import { GoogleCalendarEventsMetadata as Metadata } from '../../../models.js';
import { recordedChannels, stopAllChannels } from '../push.js';

/**
 * Stops every push channel the connection opened, so Google stops sending to Nango for a connection that is gone.
 * Never fails the deletion: a channel already gone, or one that cannot be stopped, is logged and expires by itself.
 */
export default createOnEvent({
    event: 'pre-connection-deletion',
    description: 'Stops the Google Calendar push channels of the connection; a channel already gone is fine',
    version: '1.0.0',
    metadata: Metadata,
    exec: async (nango) => {
        // Read loosely: a deletion must go through even when the rest of the metadata no longer parses.
        const channels = recordedChannels(await nango.getMetadata());
        if (channels.length === 0) {
            await nango.log('No recorded push channel to stop');
            return;
        }
        const stopped = await stopAllChannels(nango, channels);
        await nango.log(`Stopped ${stopped} of ${channels.length} push channel(s)`);
    }
});
