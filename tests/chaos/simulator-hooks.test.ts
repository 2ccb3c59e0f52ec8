import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../runtime/index.js';
import { CalendarSimulator } from '../../simulators/calendar/index.js';
import { SalesforceSimulator } from '../../simulators/salesforce/index.js';

// Found by the chaos campaign: after a clock jump past the recycle bin's retention, "undelete-leads" picked ids
// the store had already purged and threw NOT_FOUND from inside the activity.
describe('salesforce simulator under clock jumps', () => {
    it('undelete after the 15-day retention restores nothing and does not throw', () => {
        const clock = new VirtualClock();
        const sim = new SalesforceSimulator({ clock, seed: 5, leads: 20, opportunities: 5 });
        sim.applyActivity('delete-leads');
        clock.advance(16 * 24 * 3_600_000);
        expect(sim.applyActivity('undelete-leads')).toBe('restored 0 lead records from the recycle bin');
    });
});

// Found by the chaos campaign: an exception materialized from a recurring event shared the master's attendee
// objects, so an edit of the master's attendee changed the exception too without a new etag; a fresh sync then
// read different attendees than the cached exception held under the same etag.
describe('calendar simulator exceptions', () => {
    it('own their fields: editing the master in place leaves a materialized exception alone', () => {
        const sim = new CalendarSimulator({ clock: new VirtualClock(), seed: 11, events: 150 });
        const found = sim.store
            .listed()
            .flatMap((calendar) => calendar.events.map((event) => [calendar, event] as const))
            .find(([, event]) => event.recurrence && (event.attendees?.length ?? 0) > 0);
        expect(found).toBeDefined();
        const [calendar, master] = found!;
        const exception = sim.store.materialize(calendar, sim.store.instance(master, master.start.ms + 7 * 86_400_000));
        const before = exception.attendees![0]!.responseStatus;
        master.attendees![0]!.responseStatus = before === 'declined' ? 'accepted' : 'declined';
        expect(exception.attendees![0]!.responseStatus).toBe(before);
    });
});
