import type { Random } from '../common/random.js';
import type { StoredCalendar, StoredEvent } from './model.js';
import { addGroupCalendar } from './seed.js';
import { annotate, outOfOfficeFields } from './shapes.js';
import type { CalendarStore } from './store.js';
import { DAY_MS } from './time.js';

/**
 * What happens at Google between two syncs: people edit, move, cancel and create events, change or cancel one
 * instance of a series, Google invalidates a calendar's sync tokens, the user subscribes to or leaves a calendar.
 * Each activity changes the store the way Calendar would (new etag, `updated`, change-log position).
 */

export const CALENDAR_ACTIVITIES = [
    { name: 'edit-events', description: 'Edit the title, place or an attendee answer of a few events' },
    { name: 'cancel-events', description: 'Cancel (delete) a few single events' },
    { name: 'move-events', description: 'Move a few timed events by hours or days' },
    { name: 'new-events', description: 'Create a few events, some with attendees and a Meet link' },
    { name: 'edit-recurring-exception', description: 'Change one instance of a recurring event (creates or edits an exception)' },
    { name: 'cancel-instance', description: 'Cancel one instance of a recurring event (a cancelled exception)' },
    { name: 'cancel-series', description: 'Cancel (delete) a whole recurring event, and with it its exceptions' },
    {
        name: 'annotate-events',
        description: 'Add app data, an attachment, an attendee comment, Zoom conferencing, free/busy or visibility to a few events'
    },
    { name: 'out-of-office', description: 'Block out-of-office time on the primary calendar (eventType outOfOffice)' },
    { name: 'token-expiry', description: "Invalidate one calendar's sync tokens (the next incremental listing answers 410)" },
    { name: 'new-calendar', description: 'Subscribe the user to a new calendar that already holds events' },
    { name: 'leave-calendar', description: "Remove a secondary calendar from the user's calendar list" }
] as const;

export type CalendarActivity = (typeof CALENDAR_ACTIVITIES)[number]['name'];

export function applyCalendarActivity(store: CalendarStore, name: string, random: Random): string {
    switch (name as CalendarActivity) {
        case 'edit-events':
            return editEvents(store, random);
        case 'cancel-events':
            return cancelEvents(store, random);
        case 'move-events':
            return moveEvents(store, random);
        case 'new-events':
            return newEvents(store, random);
        case 'edit-recurring-exception':
            return editException(store, random);
        case 'cancel-instance':
            return cancelInstance(store, random);
        case 'cancel-series':
            return cancelSeries(store, random);
        case 'annotate-events':
            return annotateEvents(store, random);
        case 'out-of-office':
            return outOfOffice(store, random);
        case 'token-expiry':
            return expireTokens(store, random);
        case 'new-calendar':
            return newCalendar(store, random);
        case 'leave-calendar':
            return leaveCalendar(store, random);
        default:
            throw new Error(`unknown calendar activity '${name}' (known: ${CALENDAR_ACTIVITIES.map((a) => a.name).join(', ')})`);
    }
}

function writable(store: CalendarStore): StoredCalendar[] {
    return store.listed().filter((calendar) => calendar.accessRole === 'owner' || calendar.accessRole === 'writer');
}

/** Up to `count` distinct live events matching `accept`, picked at random across the writable calendars. */
function pickEvents(
    store: CalendarStore,
    random: Random,
    count: number,
    accept: (event: StoredEvent) => boolean
): [StoredCalendar, StoredEvent][] {
    const candidates: [StoredCalendar, StoredEvent][] = [];
    for (const calendar of writable(store)) {
        for (const event of calendar.events) if (event.status !== 'cancelled' && accept(event)) candidates.push([calendar, event]);
    }
    const picked: [StoredCalendar, StoredEvent][] = [];
    for (let i = 0; i < count && candidates.length > 0; i += 1) {
        const at = random.int(0, candidates.length - 1);
        picked.push(candidates[at]!);
        candidates.splice(at, 1);
    }
    return picked;
}

function editEvents(store: CalendarStore, random: Random): string {
    const picked = pickEvents(store, random, random.int(1, 5), () => true);
    for (const [calendar, event] of picked) {
        const roll = random.next();
        if (roll < 0.4) event.summary = `${event.summary ?? 'Event'} – ${random.pick(['agenda added', 'renamed', 'v2'])}`;
        else if (roll < 0.7) event.location = random.pick(['Room 2.01', 'Online', 'Cafeteria', 'Client office, Lyon']);
        else if (event.attendees && event.attendees.length > 0) {
            const attendee = random.pick(event.attendees);
            attendee.responseStatus = random.pick(['accepted', 'declined', 'tentative'] as const);
        } else event.description = `Updated on ${new Date(store.now()).toISOString().slice(0, 10)}`;
        store.touch(calendar, event);
    }
    return `edited ${picked.length} event(s): ${picked.map(([, e]) => e.id).join(', ')}`;
}

function cancelEvents(store: CalendarStore, random: Random): string {
    const picked = pickEvents(store, random, random.int(1, 3), (event) => !event.recurrence && !event.recurringEventId);
    for (const [calendar, event] of picked) store.cancel(calendar, event);
    return `cancelled ${picked.length} event(s): ${picked.map(([, e]) => e.id).join(', ')}`;
}

function moveEvents(store: CalendarStore, random: Random): string {
    const picked = pickEvents(store, random, random.int(1, 3), (event) => !event.start.allDay && !event.recurrence);
    for (const [calendar, event] of picked) {
        const shift = random.pick([1, 2, 24, 48, -1, -24]) * 3_600_000;
        event.start = { ...event.start, ms: event.start.ms + shift };
        event.end = { ...event.end, ms: event.end.ms + shift };
        event.sequence += 1;
        store.touch(calendar, event);
    }
    return `moved ${picked.length} event(s): ${picked.map(([, e]) => e.id).join(', ')}`;
}

function newEvents(store: CalendarStore, random: Random): string {
    const calendars = writable(store);
    const made: string[] = [];
    for (let i = random.int(1, 5); i > 0; i -= 1) {
        const calendar = random.pick(calendars);
        const start = Math.floor((store.now() + random.int(1, 60) * DAY_MS) / 3_600_000) * 3_600_000;
        const attendees = random.chance(0.5)
            ? [{ email: 'jamie.chen@example.com', displayName: 'Jamie Chen', responseStatus: 'needsAction' as const }]
            : undefined;
        const event = store.create(calendar, {
            id: store.newEventId(calendar),
            status: 'confirmed',
            summary: random.pick(['Coffee chat', 'Quarterly review', 'Dentist', 'Offsite prep']),
            start: { ms: start, allDay: false },
            end: { ms: start + 3_600_000, allDay: false },
            organizer: store.organizerFor(calendar),
            creator: store.user.email,
            ...(attendees ? { attendees } : {})
        });
        made.push(event.id);
    }
    return `created ${made.length} event(s): ${made.join(', ')}`;
}

function liveMasters(store: CalendarStore, random: Random): [StoredCalendar, StoredEvent] | null {
    const [picked] = pickEvents(store, random, 1, (event) => event.recurrence !== undefined && event.recurringEventId === undefined);
    return picked ?? null;
}

/** A not-yet-cancelled occurrence of `master`, as a stored exception or a fresh instance. */
function pickOccurrence(store: CalendarStore, random: Random, calendar: StoredCalendar, master: StoredEvent): StoredEvent | null {
    const starts = store.instanceStarts(calendar, master, master.start.ms, store.now() + 120 * DAY_MS);
    for (let tries = 0; tries < 10 && starts.length > 0; tries += 1) {
        const instance = store.instance(master, random.pick(starts));
        const existing = store.stored(calendar, instance.id);
        if (!existing) return instance;
        if (existing.status !== 'cancelled') return existing;
    }
    return null;
}

function editException(store: CalendarStore, random: Random): string {
    const picked = liveMasters(store, random);
    if (!picked) return 'no recurring event to change';
    const [calendar, master] = picked;
    const occurrence = pickOccurrence(store, random, calendar, master);
    if (!occurrence) return `no open instance of ${master.id}`;
    const exception = store.stored(calendar, occurrence.id) ?? store.materialize(calendar, occurrence);
    exception.summary = `${master.summary ?? 'Event'} (this week: ${random.pick(['remote', 'moved', 'short'])})`;
    exception.start = { ...exception.start, ms: exception.start.ms + 30 * 60_000 };
    exception.end = { ...exception.end, ms: exception.end.ms + 30 * 60_000 };
    exception.sequence += 1;
    store.touch(calendar, exception);
    return `changed instance ${exception.id} of ${master.id}`;
}

function cancelInstance(store: CalendarStore, random: Random): string {
    const picked = liveMasters(store, random);
    if (!picked) return 'no recurring event to change';
    const [calendar, master] = picked;
    const occurrence = pickOccurrence(store, random, calendar, master);
    if (!occurrence) return `no open instance of ${master.id}`;
    const exception = store.stored(calendar, occurrence.id) ?? store.materialize(calendar, occurrence);
    store.cancel(calendar, exception);
    return `cancelled instance ${exception.id} of ${master.id}`;
}

function cancelSeries(store: CalendarStore, random: Random): string {
    const picked = liveMasters(store, random);
    if (!picked) return 'no recurring event to cancel';
    const [calendar, master] = picked;
    store.cancel(calendar, master);
    return `cancelled series ${master.id}`;
}

function annotateEvents(store: CalendarStore, random: Random): string {
    const picked = pickEvents(store, random, random.int(1, 4), (event) => event.eventType === undefined);
    const done: string[] = [];
    for (const [calendar, event] of picked) {
        const what = annotate(event, random);
        if (!what) continue;
        store.touch(calendar, event);
        done.push(`${event.id} (${what})`);
    }
    return `annotated ${done.length} event(s): ${done.join(', ')}`;
}

function outOfOffice(store: CalendarStore, random: Random): string {
    const calendar = store.resolve('primary')!;
    const day = Math.floor((store.now() + random.int(3, 40) * DAY_MS) / DAY_MS) * DAY_MS;
    const event = store.create(calendar, outOfOfficeFields(store, calendar, random, day));
    return `blocked out-of-office time: ${event.id}`;
}

function expireTokens(store: CalendarStore, random: Random): string {
    const calendar = random.pick(store.listed());
    store.invalidateSyncTokens(calendar);
    return `invalidated the sync tokens of ${calendar.id}`;
}

function newCalendar(store: CalendarStore, random: Random): string {
    const calendar = addGroupCalendar(store, random.pick(['Hiring', 'Marketing launches', 'Volunteering']), 'owner', 'Europe/London');
    const count = random.int(3, 12);
    for (let i = 0; i < count; i += 1) {
        const start = Math.floor((store.now() + random.int(-30, 90) * DAY_MS) / 3_600_000) * 3_600_000;
        store.create(calendar, {
            id: store.newEventId(calendar),
            status: 'confirmed',
            summary: `${calendar.summary} #${i + 1}`,
            start: { ms: start, allDay: false, timeZone: 'Europe/London' },
            end: { ms: start + 3_600_000, allDay: false, timeZone: 'Europe/London' },
            organizer: store.organizerFor(calendar),
            creator: store.user.email
        });
    }
    return `subscribed to ${calendar.id} with ${count} event(s)`;
}

function leaveCalendar(store: CalendarStore, random: Random): string {
    const secondary = store.listed().filter((calendar) => !calendar.primary);
    if (secondary.length === 0) return 'no secondary calendar to leave';
    const calendar = random.pick(secondary);
    calendar.inList = false;
    return `left ${calendar.id}`;
}
