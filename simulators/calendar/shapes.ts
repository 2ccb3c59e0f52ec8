import type { Random } from '../common/random.js';
import type { StoredAttachment, StoredCalendar, StoredEvent } from './model.js';
import type { CalendarStore } from './store.js';
import { DAY_MS } from './time.js';

/**
 * The less common shapes live calendars hold, put on seeded events and made by activities: app data in
 * `extendedProperties`, Drive attachments, attendees' comments, an add-on's conference (Zoom) instead of Meet,
 * free (`transparent`) and `private` events, out-of-office and focus-time blocks (Events resource,
 * https://developers.google.com/workspace/calendar/api/v3/reference/events).
 */

const COMMENTS = ['Running 5 min late', 'Can we move this to Thursday?', 'Will join from the train', 'Sorry, on leave that week'];

export function driveAttachment(random: Random, title: string): StoredAttachment {
    const fileId = random.string(33, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-');
    return {
        fileUrl: `https://drive.google.com/open?id=${fileId}`,
        title,
        mimeType: 'application/vnd.google-apps.document',
        fileId,
        iconLink: 'https://drive-thirdparty.googleusercontent.com/16/type/application/vnd.google-apps.document'
    };
}

export function zoomConference(random: Random): NonNullable<StoredEvent['addOnConference']> {
    const conferenceId = String(random.int(100_000_000, 999_999_999)) + String(random.int(10, 99));
    return { name: 'Zoom Meeting', conferenceId, uri: `https://us02web.zoom.us/j/${conferenceId}?pwd=${random.string(20)}` };
}

/** Puts one of the rarer shapes on a live event; returns what it did, or null when none fits the event. */
export function annotate(event: StoredEvent, random: Random): string | null {
    const options: (() => string | null)[] = [
        () => {
            event.extendedProperties = {
                private: { crmOpportunityId: `opp-${random.int(1000, 9999)}` },
                ...(random.chance(0.5) ? { shared: { ticket: `OPS-${random.int(10, 999)}` } } : {})
            };
            return 'extendedProperties';
        },
        () => {
            event.attachments = [...(event.attachments ?? []), driveAttachment(random, `Notes – ${event.summary ?? 'meeting'}`)];
            return 'attachment';
        },
        () => {
            const answered = (event.attendees ?? []).filter((attendee) => !attendee.organizer && attendee.comment === undefined);
            if (answered.length === 0) return null;
            const attendee = random.pick(answered);
            attendee.responseStatus = random.pick(['declined', 'tentative'] as const);
            attendee.comment = random.pick(COMMENTS);
            return 'attendee comment';
        },
        () => {
            if (event.start.allDay || event.conference || event.addOnConference) return null;
            event.addOnConference = zoomConference(random);
            return 'add-on conference';
        },
        () => {
            if (event.start.allDay) return null;
            event.transparency = event.transparency === 'transparent' ? 'opaque' : 'transparent';
            return 'transparency';
        },
        () => {
            event.visibility = random.pick(['private', 'public', 'confidential'] as const);
            return 'visibility';
        }
    ];
    const first = random.int(0, options.length - 1);
    for (let i = 0; i < options.length; i += 1) {
        const done = options[(first + i) % options.length]!();
        if (done) return done;
    }
    return null;
}

/** An out-of-office block on `calendar`, starting `day` (UTC midnight) plus some hours, as Calendar's UI makes one. */
export function outOfOfficeFields(store: CalendarStore, calendar: StoredCalendar, random: Random, day: number) {
    const start = day + random.int(13, 16) * 3_600_000;
    return {
        id: store.newEventId(calendar),
        status: 'confirmed' as const,
        summary: random.pick(['Out of office', 'OOO – vacation', 'Doctor appointment']),
        start: { ms: start, allDay: false },
        end: { ms: start + random.int(1, 5) * DAY_MS, allDay: false },
        organizer: store.organizerFor(calendar),
        creator: store.user.email,
        eventType: 'outOfOffice' as const,
        outOfOffice: {
            autoDeclineMode: 'declineAllConflictingInvitations',
            declineMessage: 'I am out of office and will answer when I am back.'
        },
        reminders: { useDefault: false, overrides: [] }
    };
}

/**
 * Seed pass over already-made events (so the draws that made them, and the events themselves, stay as before): some timed
 * events of the user's own calendar become out-of-office or focus-time blocks, a few in ten get one of the rarer
 * shapes.
 */
export function decorateSeed(calendars: StoredCalendar[], random: Random): void {
    for (const calendar of calendars) {
        let blocks = 0;
        for (const event of calendar.events) {
            if (event.recurringEventId || event.status === 'cancelled') continue;
            const plainTimed = !event.start.allDay && !event.recurrence && !event.attendees && !event.conference;
            if (calendar.primary && plainTimed && blocks < 4 && random.chance(0.15)) {
                blocks += 1;
                const ooo = blocks % 2 === 1;
                event.eventType = ooo ? 'outOfOffice' : 'focusTime';
                event.summary = ooo ? 'Out of office' : 'Focus time';
                delete event.description;
                delete event.location;
                if (ooo) event.outOfOffice = { autoDeclineMode: 'declineAllConflictingInvitations', declineMessage: 'Back soon.' };
                continue;
            }
            if (random.chance(0.3)) annotate(event, random);
        }
    }
}
