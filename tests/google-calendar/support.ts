import { expect } from 'vitest';
import type { GoogleCalendarEvent } from '../../models.js';
import { RecordsStore, runAction, runSync, VirtualClock, type RunSyncOptions } from '../../runtime/index.js';
import { CalendarSimulator, type CalendarSimulatorOptions } from '../../simulators/calendar/index.js';
import { verdictOfCache, type Verdict } from '../../simulators/common/truth.js';
import { server } from '../support/msw.js';

export const conn = { integration: 'google-calendar', connectionId: 'local' };
export const MODEL = 'GoogleCalendarEvent';

export interface Bed {
    clock: VirtualClock;
    sim: CalendarSimulator;
    store: RecordsStore;
    sync: (extra?: Partial<RunSyncOptions>) => ReturnType<typeof runSync>;
    action: (name: 'create-event' | 'update-event', input: unknown) => ReturnType<typeof runAction>;
    /**
     * The cache against the simulator's truth for these calendars (default: those in the metadata); with `only`,
     * the cached records of other calendars are left out of the comparison.
     */
    verdict: (calendarIds?: string[], only?: boolean) => Verdict;
    setMetadata: (metadata: Record<string, unknown>) => void;
}

/** A simulator behind msw, an empty cache, and runners for the google-calendar scripts on one virtual clock. */
export function testBed(options: Partial<CalendarSimulatorOptions> = {}, metadata: Record<string, unknown> = {}): Bed {
    const clock = new VirtualClock();
    const sim = new CalendarSimulator({ clock, seed: 11, events: 150, ...options });
    server.use(...sim.handlers);
    const store = new RecordsStore(':memory:');
    let current = metadata;
    store.setMetadata(conn, metadata);
    return {
        clock,
        sim,
        store,
        sync: (extra = {}) => runSync({ integration: 'google-calendar', name: 'events', store, clock, ...extra }),
        action: (name, input) => runAction({ integration: 'google-calendar', name, input, store, clock }),
        verdict: (calendarIds, only = false) => {
            const ids =
                calendarIds ??
                (current['allCalendars'] ? sim.store.listed().map((c) => c.id) : ((current['calendarIds'] as string[]) ?? ['primary']));
            const real = new Set(ids.map((id) => sim.store.resolve(id)?.id ?? id));
            const records = store.allRecords(conn, MODEL).filter((record) => !only || real.has(String(record['calendarId'] ?? '')));
            return verdictOfCache(MODEL, sim.truthFor(ids), records, (m, r) => sim.versionOf(m, r));
        },
        setMetadata: (next) => {
            current = next;
            store.setMetadata(conn, next);
        }
    };
}

/** The verdict must be clean; on failure the message shows what differs. */
export function expectInSync(bed: Bed, calendarIds?: string[]): Verdict {
    return expectVerdict(bed.verdict(calendarIds));
}

/** These calendars' records equal the truth; other calendars' records are not looked at. */
export function expectCalendarsInSync(bed: Bed, calendarIds: string[]): Verdict {
    return expectVerdict(bed.verdict(calendarIds, true));
}

function expectVerdict(verdict: Verdict): Verdict {
    const summary = {
        missing: verdict.missing.slice(0, 5),
        stale: verdict.stale.slice(0, 5),
        wronglyDeleted: verdict.wronglyDeleted.slice(0, 5),
        notDeleted: verdict.notDeleted.slice(0, 5)
    };
    expect(verdict.ok, JSON.stringify(summary)).toBe(true);
    expect(verdict.expected).toBeGreaterThan(0);
    return verdict;
}

export function live(bed: Bed): Record<string, unknown>[] {
    return bed.store.liveRecords(conn, MODEL);
}

/** A full create-event input. */
export const kickoff = {
    summary: 'Kickoff with Acme',
    description: 'Scope, timeline, owners',
    location: 'Room 4.12',
    start: { dateTime: '2026-02-03T09:30:00', timeZone: 'Europe/Paris' },
    end: { dateTime: '2026-02-03T10:30:00', timeZone: 'Europe/Paris' },
    attendees: [
        { email: 'jamie.chen@example.com', name: 'Jamie Chen' },
        { email: 'sofia.rossi@partner.io', optional: true }
    ],
    reminders: { useDefault: false, overrides: [{ method: 'popup' as const, minutes: 15 }] },
    addGoogleMeet: true,
    sendUpdates: 'all' as const
};

export async function create(bed: Bed, input: unknown): Promise<GoogleCalendarEvent> {
    const result = await bed.action('create-event', input);
    if (result.status !== 'success') throw new Error(`create-event failed: ${JSON.stringify(result.error)}`);
    return result.output as GoogleCalendarEvent;
}

export async function failure(bed: Bed, name: 'create-event' | 'update-event', input: unknown) {
    const result = await bed.action(name, input);
    if (result.status !== 'failed') throw new Error(`${name} unexpectedly succeeded: ${JSON.stringify(result.output)}`);
    return { ...result.error, calls: result.calls };
}

export function storedEvents(bed: Bed, summary: string) {
    return bed.sim.calendar('primary').events.filter((event) => event.summary === summary);
}
