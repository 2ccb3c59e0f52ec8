import { createHash } from 'node:crypto';
import type { Clock } from '../../runtime/clock.js';
import { CalendarChannels } from './channels.js';
import { calendarErrors } from './errors.js';
import { checkEventShape, EVENT_ID, readEventChanges, type EventChanges } from './event-input.js';
import type { CalendarUser, EventTime, SentNotification, StoredCalendar, StoredEvent } from './model.js';
import { lastOccurrence, occurrences, parseRecurrence, type Series } from './recurrence.js';
import { renderEtag, renderTime } from './render.js';
import { instanceStamp, parseInstanceStamp } from './time.js';

export type SendUpdates = 'all' | 'externalOnly' | 'none';

export interface WriteOptions {
    conferenceDataVersion: number;
    sendUpdates: SendUpdates;
    ifMatch?: string | null | undefined;
}

/** The fields an event is created with; bookkeeping (index, etag, timestamps, change position) is the store's. */
export type NewEvent = Omit<StoredEvent, 'index' | 'created' | 'updated' | 'etag' | 'sequence' | 'changeSeq'> & { sequence?: number };

/**
 * The calendars of one user and every rule Calendar enforces on writes. Every change to an event bumps its `updated`,
 * its etag and its calendar's change log, which is what sync tokens point into.
 */
export class CalendarStore {
    readonly calendars = new Map<string, StoredCalendar>();
    readonly notifications: SentNotification[] = [];
    /** Notification channels on the calendars' events and the push messages they send. */
    readonly channels: CalendarChannels;
    private readonly eventsById = new Map<string, Map<string, StoredEvent>>();
    private readonly exceptionIds = new Map<string, Map<string, string[]>>();
    private readonly seriesCache = new WeakMap<StoredEvent, { etag: number; series: Series | null; last: number }>();
    private lastEtag = 0;
    idCounter = 0;
    /** The most events one events.list page holds (Google: at most 2500, and a page may come back shorter). */
    pageLimit = 2500;
    /** Stored events a full-listing page looks at, at most; below the page size it makes empty pages over deleted runs. */
    scanLimit = Infinity;

    constructor(
        readonly user: CalendarUser,
        private readonly clock: Clock
    ) {
        this.channels = new CalendarChannels(clock);
    }

    now(): number {
        return this.clock.now();
    }

    addCalendar(calendar: Omit<StoredCalendar, 'events' | 'changeLog' | 'epoch' | 'updated'> & Partial<StoredCalendar>): StoredCalendar {
        const stored: StoredCalendar = { events: [], changeLog: [], epoch: 1, updated: this.now(), ...calendar };
        this.calendars.set(stored.id, stored);
        this.eventsById.set(stored.id, new Map());
        this.exceptionIds.set(stored.id, new Map());
        for (const event of stored.events) this.index(stored, event);
        for (const event of stored.events) this.lastEtag = Math.max(this.lastEtag, event.etag);
        return stored;
    }

    /** `primary` is the user's primary calendar; any other id must name a calendar the user can see. */
    resolve(calendarId: string): StoredCalendar | undefined {
        if (calendarId === 'primary') return [...this.calendars.values()].find((calendar) => calendar.primary);
        return this.calendars.get(calendarId);
    }

    require(calendarId: string): StoredCalendar {
        const calendar = this.resolve(calendarId);
        if (!calendar) throw calendarErrors.notFound();
        return calendar;
    }

    listed(): StoredCalendar[] {
        return [...this.calendars.values()].filter((calendar) => calendar.inList);
    }

    stored(calendar: StoredCalendar, eventId: string): StoredEvent | undefined {
        return this.eventsById.get(calendar.id)?.get(eventId);
    }

    exceptionsOf(calendar: StoredCalendar, masterId: string): StoredEvent[] {
        const ids = this.exceptionIds.get(calendar.id)?.get(masterId) ?? [];
        return ids.map((id) => this.stored(calendar, id)).filter((event): event is StoredEvent => event !== undefined);
    }

    /** The master's recurrence as a Series, cached per etag (null when the event does not recur). */
    series(calendar: StoredCalendar, event: StoredEvent): Series | null {
        return this.seriesInfo(calendar, event).series;
    }

    /** [first start, last end) of a series; the end is Infinity for a series without COUNT or UNTIL. */
    seriesSpan(calendar: StoredCalendar, event: StoredEvent): { start: number; end: number } {
        const info = this.seriesInfo(calendar, event);
        const duration = event.end.ms - event.start.ms;
        return { start: event.start.ms, end: info.last === Infinity ? Infinity : info.last + duration };
    }

    private seriesInfo(calendar: StoredCalendar, event: StoredEvent): { series: Series | null; last: number } {
        const cached = this.seriesCache.get(event);
        if (cached && cached.etag === event.etag) return cached;
        let series: Series | null = null;
        if (event.recurrence && !event.recurringEventId) {
            const zone = event.start.timeZone ?? calendar.timeZone;
            const parsed = parseRecurrence(event.recurrence, event.start.allDay, zone);
            if (parsed.ok) series = { start: event.start.ms, allDay: event.start.allDay, zone, recurrence: parsed.value };
        }
        const entry = { etag: event.etag, series, last: series ? lastOccurrence(series) : event.start.ms };
        this.seriesCache.set(event, entry);
        return entry;
    }

    /** Occurrence starts of a recurring event in [from, to). */
    instanceStarts(calendar: StoredCalendar, master: StoredEvent, from: number, to: number): number[] {
        const series = this.series(calendar, master);
        return series ? occurrences(series, from, to) : [];
    }

    /**
     * An event by id: a stored one, or an instance of a recurring event (`<masterId>_<stamp>`) that has no exception
     * yet, built from its master as Calendar does for events.get on an instance id.
     */
    find(calendar: StoredCalendar, eventId: string): StoredEvent | undefined {
        const stored = this.stored(calendar, eventId);
        if (stored) return stored;
        const cut = eventId.lastIndexOf('_');
        if (cut <= 0) return undefined;
        const master = this.stored(calendar, eventId.slice(0, cut));
        const stamp = parseInstanceStamp(eventId.slice(cut + 1));
        if (!master || !stamp || stamp.allDay !== master.start.allDay) return undefined;
        const series = this.series(calendar, master);
        if (!series || !occurrences(series, stamp.ms, stamp.ms + 1).includes(stamp.ms)) return undefined;
        return this.instance(master, stamp.ms);
    }

    /**
     * A not-yet-materialized instance of `master` starting at `at`. Its nested fields (attendees, organizer,
     * reminders, conference) are copies: an exception made from it is an event of its own at Google, and an edit of
     * the series in place (an RSVP) must not change it without a new etag.
     */
    instance(master: StoredEvent, at: number): StoredEvent {
        const duration = master.end.ms - master.start.ms;
        const { recurrence: _recurrence, ...rest } = structuredClone(master);
        return {
            ...rest,
            id: `${master.id}_${instanceStamp(at, master.start.allDay)}`,
            start: { ...master.start, ms: at },
            end: { ...master.end, ms: at + duration },
            recurringEventId: master.id,
            originalStart: { ...master.start, ms: at }
        };
    }

    /** Creates an event with fresh bookkeeping (seed data, activities, inserts). */
    create(calendar: StoredCalendar, fields: NewEvent, at = this.now()): StoredEvent {
        const event: StoredEvent = {
            sequence: 0,
            ...fields,
            index: calendar.events.length,
            created: at,
            updated: at,
            etag: 0,
            changeSeq: 0
        };
        calendar.events.push(event);
        this.index(calendar, event);
        this.touch(calendar, event, at);
        return event;
    }

    /** Records a change: new `updated`, new etag, a new position in the calendar's change log. */
    touch(calendar: StoredCalendar, event: StoredEvent, at = this.now()): void {
        event.updated = at;
        this.lastEtag = Math.max(this.lastEtag + 1, at * 1000);
        event.etag = this.lastEtag;
        calendar.changeLog.push(event.index);
        event.changeSeq = calendar.changeLog.length;
        calendar.updated = at;
        this.channels.changed(calendar.id);
    }

    newEventId(calendar: StoredCalendar): string {
        this.idCounter += 1;
        return base32hex(createHash('sha256').update(`${calendar.id}:${this.idCounter}`).digest()).slice(0, 26);
    }

    // https://developers.google.com/workspace/calendar/api/v3/reference/events/insert
    insert(calendar: StoredCalendar, body: unknown, options: WriteOptions): StoredEvent {
        this.requireWriter(calendar);
        const changes = readEventChanges(body, options.conferenceDataVersion);
        const requestedId = (body as { id?: unknown }).id;
        let id: string;
        if (requestedId !== undefined && requestedId !== null) {
            if (typeof requestedId !== 'string' || !EVENT_ID.test(requestedId)) throw calendarErrors.invalid('Invalid resource id value.');
            // Cancelled events keep their id: inserting it again is still a duplicate.
            if (this.stored(calendar, requestedId)) throw calendarErrors.duplicate();
            id = requestedId;
        } else {
            id = this.newEventId(calendar);
        }
        if (!changes.start) throw calendarErrors.required('Missing start time.');
        if (!changes.end) throw calendarErrors.required('Missing end time.');
        const shape = { start: changes.start, end: changes.end, ...(changes.recurrence ? { recurrence: changes.recurrence } : {}) };
        checkEventShape(shape, calendar.timeZone);
        const fields: NewEvent = {
            id,
            status: changes.status ?? 'confirmed',
            ...shape,
            organizer: this.organizerFor(calendar),
            creator: this.user.email
        };
        applyOptional(fields, changes);
        if (changes.conferenceRequest)
            fields.conference = { code: meetCode(calendar.id, changes.conferenceRequest), requestId: changes.conferenceRequest };
        const event = this.create(calendar, fields);
        this.notify(calendar, event, 'invitation', options.sendUpdates);
        return event;
    }

    // https://developers.google.com/workspace/calendar/api/v3/reference/events/patch
    patch(calendar: StoredCalendar, eventId: string, body: unknown, options: WriteOptions): StoredEvent {
        this.requireWriter(calendar);
        const found = this.find(calendar, eventId);
        if (!found) throw calendarErrors.notFound();
        checkIfMatch(found, options.ifMatch);
        const changes = readEventChanges(mergeTimes(body, found, calendar.timeZone), options.conferenceDataVersion);
        const recurrence = 'recurrence' in changes ? changes.recurrence : found.recurrence;
        const merged = { start: changes.start ?? found.start, end: changes.end ?? found.end, ...(recurrence ? { recurrence } : {}) };
        if (found.recurringEventId && changes.recurrence) throw calendarErrors.invalid('Invalid recurrence rule.');
        checkEventShape(merged, calendar.timeZone);
        // Patching an instance that has no exception yet creates the exception.
        const event = this.stored(calendar, found.id) ?? this.materialize(calendar, found);
        const timesChanged = !sameTime(event.start, merged.start) || !sameTime(event.end, merged.end) || 'recurrence' in changes;
        event.start = merged.start;
        event.end = merged.end;
        if ('recurrence' in changes) {
            if (changes.recurrence) event.recurrence = changes.recurrence;
            else delete event.recurrence;
        }
        applyOptional(event, changes);
        if (changes.status) event.status = changes.status;
        if (changes.removeConference) delete event.conference;
        if (changes.conferenceRequest && event.conference?.requestId !== changes.conferenceRequest) {
            event.conference = { code: meetCode(calendar.id, changes.conferenceRequest), requestId: changes.conferenceRequest };
        }
        if (timesChanged) event.sequence += 1;
        this.touch(calendar, event);
        if (event.status === 'cancelled') this.cancelExceptions(calendar, event);
        this.notify(calendar, event, event.status === 'cancelled' ? 'cancellation' : 'update', options.sendUpdates);
        return event;
    }

    // https://developers.google.com/workspace/calendar/api/v3/reference/events/delete
    remove(calendar: StoredCalendar, eventId: string, options: Omit<WriteOptions, 'conferenceDataVersion'>): void {
        this.requireWriter(calendar);
        const found = this.find(calendar, eventId);
        if (!found) throw calendarErrors.notFound();
        if (found.status === 'cancelled') throw calendarErrors.deleted();
        checkIfMatch(found, options.ifMatch);
        const event = this.stored(calendar, found.id) ?? this.materialize(calendar, found);
        this.cancel(calendar, event);
        this.notify(calendar, event, 'cancellation', options.sendUpdates);
    }

    /** Cancels an event; cancelling a recurring event cancels its exceptions too. */
    cancel(calendar: StoredCalendar, event: StoredEvent, at = this.now()): void {
        event.status = 'cancelled';
        this.touch(calendar, event, at);
        this.cancelExceptions(calendar, event, at);
    }

    /** Every sync token of the calendar issued so far answers 410 from now on. */
    invalidateSyncTokens(calendar: StoredCalendar): void {
        calendar.epoch += 1;
    }

    /** An instance turned into a stored exception, with (copies of) the master's fields. */
    materialize(calendar: StoredCalendar, instance: StoredEvent): StoredEvent {
        const {
            index: _index,
            created: _created,
            updated: _updated,
            etag: _etag,
            changeSeq: _changeSeq,
            ...fields
        } = structuredClone(instance);
        return this.create(calendar, { ...fields, sequence: instance.sequence });
    }

    private cancelExceptions(calendar: StoredCalendar, master: StoredEvent, at = this.now()): void {
        if (master.recurringEventId) return;
        for (const exception of this.exceptionsOf(calendar, master.id)) {
            if (exception.status === 'cancelled') continue;
            exception.status = 'cancelled';
            this.touch(calendar, exception, at);
        }
    }

    private index(calendar: StoredCalendar, event: StoredEvent): void {
        this.eventsById.get(calendar.id)!.set(event.id, event);
        if (event.recurringEventId) {
            const byMaster = this.exceptionIds.get(calendar.id)!;
            const list = byMaster.get(event.recurringEventId) ?? [];
            list.push(event.id);
            byMaster.set(event.recurringEventId, list);
        }
    }

    organizerFor(calendar: StoredCalendar): StoredEvent['organizer'] {
        if (calendar.primary) return { email: this.user.email, displayName: this.user.displayName };
        return { email: calendar.id, displayName: calendar.summary };
    }

    private requireWriter(calendar: StoredCalendar): void {
        if (calendar.accessRole !== 'owner' && calendar.accessRole !== 'writer') throw calendarErrors.writerAccessRequired();
    }

    private notify(calendar: StoredCalendar, event: StoredEvent, kind: SentNotification['kind'], sendUpdates: SendUpdates): void {
        if (sendUpdates === 'none' || !event.attendees) return;
        const domain = this.user.email.split('@')[1];
        const recipients = event.attendees
            .map((attendee) => attendee.email)
            .filter((email) => email !== this.user.email && (sendUpdates === 'all' || email.split('@')[1] !== domain));
        if (recipients.length > 0) this.notifications.push({ calendarId: calendar.id, eventId: event.id, kind, recipients });
    }
}

/**
 * PATCH merges sub-objects into the stored ones ("Patch semantics", https://developers.google.com/workspace/calendar/api/guides/performance#patch):
 * `end: { dateTime }` keeps the end's time zone; a key sent as null is removed (`{ date, dateTime: null }` turns a
 * timed event into an all-day one).
 */
function mergeTimes(body: unknown, event: StoredEvent, calendarZone: string): unknown {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return body;
    const merged: Record<string, unknown> = { ...(body as Record<string, unknown>) };
    for (const key of ['start', 'end'] as const) {
        const sent = merged[key];
        if (typeof sent !== 'object' || sent === null || Array.isArray(sent)) continue;
        const time: Record<string, unknown> = { ...renderTime(event[key], calendarZone) };
        for (const [name, value] of Object.entries(sent)) {
            if (value === null) delete time[name];
            else time[name] = value;
        }
        merged[key] = time;
    }
    return merged;
}

function applyOptional(target: Partial<StoredEvent>, changes: EventChanges): void {
    for (const key of ['summary', 'description', 'location', 'attendees', 'reminders', 'transparency', 'visibility'] as const) {
        if (!(key in changes)) continue;
        const value = changes[key];
        if (value === undefined) delete target[key];
        else (target as Record<string, unknown>)[key] = value;
    }
}

function sameTime(a: EventTime, b: EventTime): boolean {
    return a.ms === b.ms && a.allDay === b.allDay && a.timeZone === b.timeZone;
}

/** If-Match against the event's current etag (412 conditionNotMet when it is stale). */
function checkIfMatch(event: StoredEvent, ifMatch: string | null | undefined): void {
    if (ifMatch === undefined || ifMatch === null || ifMatch.trim() === '*') return;
    const wanted = ifMatch.trim().replace(/^W\//, '');
    if (wanted !== renderEtag(event.etag)) throw calendarErrors.conditionNotMet();
}

/** A Meet code (`abc-defg-hij`) that is the same for the same calendar and createRequest id, as Google dedupes them. */
export function meetCode(calendarId: string, requestId: string): string {
    const digest = createHash('sha256').update(`${calendarId}\n${requestId}`).digest();
    const letters = [...digest.subarray(0, 10)].map((byte) => String.fromCharCode(97 + (byte % 26))).join('');
    return `${letters.slice(0, 3)}-${letters.slice(3, 7)}-${letters.slice(7, 10)}`;
}

const BASE32HEX = '0123456789abcdefghijklmnopqrstuv';

export function base32hex(bytes: Uint8Array): string {
    let out = '';
    let buffer = 0;
    let bits = 0;
    for (const byte of bytes) {
        buffer = (buffer << 8) | byte;
        bits += 8;
        while (bits >= 5) {
            out += BASE32HEX[(buffer >>> (bits - 5)) & 31];
            bits -= 5;
        }
        buffer &= (1 << bits) - 1;
    }
    if (bits > 0) out += BASE32HEX[(buffer << (5 - bits)) & 31];
    return out;
}
