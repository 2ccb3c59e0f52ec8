import { createHash } from 'node:crypto';
import type { HttpHandler } from 'msw';
import type { Clock } from '../../runtime/clock.js';
import { ApiCore } from '../common/core.js';
import { Random } from '../common/random.js';
import type { PushOutbox } from '../common/push.js';
import type { Simulator } from '../common/simulator.js';
import type { TruthRecord } from '../common/truth.js';
import { applyCalendarActivity, CALENDAR_ACTIVITIES } from './activities.js';
import type { ChannelsSnapshot } from './channels.js';
import { calendarErrorFormat, type CalendarRateLimitStyle } from './errors.js';
import { calendarHandlers } from './handlers.js';
import type { CalendarUser, SentNotification, StoredCalendar, StoredEvent } from './model.js';
import { renderEtag } from './render.js';
import { SEED_USER, seedCalendars } from './seed.js';
import { CalendarStore } from './store.js';

export { CALENDAR_BASE } from './handlers.js';
export { BIRTHDAY_CALENDAR, HOLIDAY_CALENDAR, SEED_USER } from './seed.js';
export type { StoredCalendar, StoredEvent } from './model.js';
export { CHANNEL_MAX_LIFETIME_MS, type StoredChannel } from './channels.js';

/** Calendar's per-user limit: 600 requests per minute (https://developers.google.com/workspace/calendar/api/guides/quota). */
export const CALENDAR_REQUESTS_PER_MINUTE = 600;

export interface CalendarSimulatorOptions {
    clock: Clock;
    seed?: number;
    /** Stored events across all calendars (exceptions and cancelled events count). Default 200. */
    events?: number;
    /** Calendars in the user's list: primary, a team calendar, US holidays, birthdays, then more team calendars. Default 4. */
    calendars?: number;
    latencyMs?: number;
    /** Enforce the 600 requests per minute per user limit. Default true. */
    quota?: boolean;
    accessToken?: string;
    /** How the per-user limit answers: 403 rateLimitExceeded (default), 403 userRateLimitExceeded, or 429. */
    rateLimitStyle?: CalendarRateLimitStyle;
    /** At most this many events per events.list page, whatever maxResults asks (default 2500, Google's cap). */
    pageLimit?: number;
    /**
     * At most this many stored events looked at per full-listing page (default: no limit beyond Calendar's own).
     * Small values give pages with no items and a nextPageToken where deleted events are stored in a row.
     */
    scanLimit?: number;
}

export interface CalendarSnapshot {
    version: 1;
    seed: number;
    activityCount: number;
    idCounter: number;
    user: CalendarUser;
    calendars: StoredCalendar[];
    notifications: SentNotification[];
    /** Notification channels and the push messages not yet delivered (absent in snapshots made before push). */
    channels?: ChannelsSnapshot;
}

/**
 * The record id a sync stores for an event: `<calendarId>/<eventId>` (event ids are unique only within a calendar).
 * Nango caps record ids at 255 characters; the rare longer pair (client-chosen ids may be 1024 long) is shortened
 * to `<calendarId>/~<sha256 of the event id>`.
 */
export function calendarRecordId(calendarId: string, eventId: string): string {
    const id = `${calendarId}/${eventId}`;
    if (id.length <= 255) return id;
    return `${calendarId}/~${createHash('sha256').update(eventId).digest('hex')}`;
}

export class CalendarSimulator implements Simulator {
    readonly name = 'calendar';
    readonly core: ApiCore;
    readonly store: CalendarStore;
    readonly handlers: HttpHandler[];
    rateLimitStyle: CalendarRateLimitStyle;
    private readonly seed: number;
    private activityCount = 0;

    constructor(options: CalendarSimulatorOptions, restored?: CalendarSnapshot) {
        this.seed = restored?.seed ?? options.seed ?? 1;
        this.rateLimitStyle = options.rateLimitStyle ?? 'rateLimitExceeded';
        this.core = new ApiCore({
            clock: options.clock,
            errors: calendarErrorFormat(() => this.rateLimitStyle),
            ...(options.accessToken !== undefined ? { accessToken: options.accessToken } : {}),
            ...(options.latencyMs !== undefined ? { latencyMs: options.latencyMs } : {}),
            ...(options.quota === false ? {} : { limit: { capacity: CALENDAR_REQUESTS_PER_MINUTE, windowMs: 60_000 } })
        });
        this.store = new CalendarStore(restored?.user ?? SEED_USER, options.clock);
        if (restored) {
            this.activityCount = restored.activityCount;
            for (const calendar of restored.calendars) this.store.addCalendar(calendar);
            this.store.idCounter = restored.idCounter;
            this.store.notifications.push(...restored.notifications);
            if (restored.channels) this.store.channels.restore(restored.channels);
        } else {
            seedCalendars(this.store, new Random(this.seed), { events: options.events ?? 200, calendars: options.calendars ?? 4 });
        }
        if (options.pageLimit !== undefined) this.store.pageLimit = options.pageLimit;
        if (options.scanLimit !== undefined) this.store.scanLimit = options.scanLimit;
        this.handlers = calendarHandlers(this.core, this.store);
    }

    static restore(snapshot: unknown, options: CalendarSimulatorOptions): CalendarSimulator {
        const data = snapshot as CalendarSnapshot;
        if (data?.version !== 1 || !Array.isArray(data.calendars)) throw new Error('not a calendar simulator snapshot');
        return new CalendarSimulator(options, data);
    }

    activities(): { name: string; description: string }[] {
        return CALENDAR_ACTIVITIES.map((activity) => ({ ...activity }));
    }

    applyActivity(name: string): string {
        this.activityCount += 1;
        return applyCalendarActivity(this.store, name, new Random(this.seed * 1_000_003 + this.activityCount));
    }

    /** Every calendar in the user's calendar list (what a sync with `allCalendars: true` must hold). */
    truth(model: string): TruthRecord[] {
        return this.truthFor(
            this.store.listed().map((calendar) => calendar.id),
            model
        );
    }

    /**
     * What a correct sync of these calendars holds: every live event (single events, recurring masters, modified
     * exceptions) and every cancelled exception of a live recurring event, which marks an instance as removed.
     * Cancelled single events and cancelled series (with all their exceptions) are absent. `primary` is accepted.
     */
    truthFor(calendarIds: readonly string[], model = 'GoogleCalendarEvent'): TruthRecord[] {
        if (model !== 'GoogleCalendarEvent') throw new Error(`the calendar simulator has no model '${model}'`);
        const seen = new Set<string>();
        const out: TruthRecord[] = [];
        for (const requested of calendarIds) {
            const calendar = this.store.resolve(requested);
            if (!calendar || seen.has(calendar.id)) continue;
            seen.add(calendar.id);
            for (const event of calendar.events) {
                if (this.belongsInCache(calendar, event))
                    out.push({ id: calendarRecordId(calendar.id, event.id), version: renderEtag(event.etag) });
            }
        }
        return out;
    }

    versionOf(_model: string, record: Record<string, unknown>): string {
        return String(record['etag']);
    }

    snapshot(): CalendarSnapshot {
        return structuredClone({
            version: 1 as const,
            seed: this.seed,
            activityCount: this.activityCount,
            idCounter: this.store.idCounter,
            user: this.store.user,
            calendars: [...this.store.calendars.values()],
            notifications: this.store.notifications,
            channels: this.store.channels.snapshot()
        });
    }

    /** Push messages of the calendars' notification channels (events.watch), until delivered. */
    get push(): PushOutbox {
        return this.store.channels.outbox;
    }

    /** The user's primary calendar id (their email address). */
    get primaryId(): string {
        return this.store.resolve('primary')!.id;
    }

    calendar(calendarId: string): StoredCalendar {
        const calendar = this.store.resolve(calendarId);
        if (!calendar) throw new Error(`no calendar '${calendarId}'`);
        return calendar;
    }

    /** Every sync token issued for this calendar answers 410 from now on. */
    invalidateSyncTokens(calendarId: string): void {
        this.store.invalidateSyncTokens(this.calendar(calendarId));
    }

    private belongsInCache(calendar: StoredCalendar, event: StoredEvent): boolean {
        const master = event.recurringEventId ? this.store.stored(calendar, event.recurringEventId) : undefined;
        if (event.recurringEventId) return master !== undefined && master.status !== 'cancelled';
        return event.status !== 'cancelled';
    }
}
