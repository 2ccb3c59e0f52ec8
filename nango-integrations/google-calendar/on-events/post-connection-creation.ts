import { createOnEvent } from 'nango';
import { GoogleCalendarEventsMetadata as Metadata } from '../../../models.js';
import { readMetadata } from '../metadata.js';
import { calendarIdOf, listedCalendarIds } from '../pages.js';
import { pushSettings, reconcileChannels } from '../push.js';

/**
 * When push is on (`pushAddress` in the metadata), opens one notification channel per calendar the events sync
 * covers, so the first change after connecting already reaches onWebhook. The events sync renews them afterwards.
 */
export default createOnEvent({
    event: 'post-connection-creation',
    description: 'Opens a Google Calendar push channel on each synced calendar when the metadata names a pushAddress',
    version: '1.0.0',
    metadata: Metadata,
    exec: async (nango) => {
        const metadata = readMetadata(await nango.getMetadata());
        const settings = pushSettings(metadata);
        if (!settings) {
            await nango.log('No pushAddress in the metadata: the events sync polls only');
            return;
        }
        await reconcileChannels(nango, settings, await syncedCalendarIds(nango, metadata), Date.now());
    }
});

/** The calendars the events sync covers, by real id (it resolves `primary` the same way). */
async function syncedCalendarIds(nango: Parameters<typeof listedCalendarIds>[0], metadata: Metadata): Promise<string[]> {
    if (metadata.allCalendars) return await listedCalendarIds(nango);
    const ids = new Set<string>();
    for (const id of metadata.calendarIds ?? ['primary']) ids.add(id === 'primary' ? await calendarIdOf(nango, id) : id);
    return [...ids];
}
