import { createSync } from 'nango';
import { z } from 'zod';
import { GoogleCalendarEvent } from '../../../../models.js';
import { toGoogleCalendarEvent } from '../../../../nango-integrations/google-calendar/mappers.js';
import { CalendarEventResource, CalendarEventsPage } from '../../../../nango-integrations/google-calendar/schemas.js';

const Metadata = z.object({ calendarIds: z.array(z.string()) });
const EventRef = z.object({ id: z.string() });

/**
 * The naive baseline for the events sync, as the simplest guide writes it: for each configured calendar, list the
 * event ids at the default page size (250), then fetch each event alone; every event is kept in memory for one save
 * at the end.
 */
const sync = createSync({
    description: 'Bench baseline: naive Google Calendar events sync',
    version: '0.0.1',
    frequency: 'every day',
    autoStart: false,
    models: { GoogleCalendarEvent },
    metadata: Metadata,
    exec: async (nango) => {
        const { calendarIds } = Metadata.parse(await nango.getMetadata());
        const events: GoogleCalendarEvent[] = [];
        for (const calendarId of calendarIds) {
            const base = `/calendar/v3/calendars/${encodeURIComponent(calendarId)}/events`;
            const ids: string[] = [];
            let pageToken: string | undefined;
            do {
                // https://developers.google.com/workspace/calendar/api/v3/reference/events/list
                const response = await nango.get({ endpoint: base, params: pageToken ? { pageToken } : {}, retries: 10 });
                const page = CalendarEventsPage.parse(response.data);
                ids.push(...(page.items ?? []).map((item) => EventRef.parse(item).id));
                pageToken = page.nextPageToken ?? undefined;
            } while (pageToken);
            for (const id of ids) {
                // https://developers.google.com/workspace/calendar/api/v3/reference/events/get
                const response = await nango.get({ endpoint: `${base}/${encodeURIComponent(id)}`, retries: 10 });
                events.push(toGoogleCalendarEvent(calendarId, CalendarEventResource.parse(response.data)));
            }
        }
        await nango.batchSave(events, 'GoogleCalendarEvent');
    }
});
export default sync;
