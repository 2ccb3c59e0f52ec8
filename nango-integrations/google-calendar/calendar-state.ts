/**
 * Per-calendar sync state inside Nango's flat checkpoint.
 *
 * Calendar sync tokens are per calendar, and a run walks several calendars, so one `syncToken` slot would keep only
 * the last calendar's token. The whole state is one JSON string field of the checkpoint, with its own schema:
 *
 *   { "v": 1, "calendars": [
 *       { "calendarId": "alex@example.com", "configured": "primary", "phase": "incremental", "syncToken": "C...", ... },
 *       { "calendarId": "en.usa#holiday@group.v.calendar.google.com", "phase": "full", "pageToken": "E...",
 *         "timeMin": "2025-01-15T12:00:00.000Z", ... } ] }
 *
 * Phases of one calendar:
 * - `full`: its first listing (nothing of it is cached yet); `pageToken` is the next page, `timeMin` the fixed lower
 *   bound of that listing (page tokens belong to the exact query). Resumable page by page.
 * - `resync`: a full listing that replaces what the cache holds for the calendar (after a 410, or a lost checkpoint):
 *   events not seen in it are deleted at its end. It restarts from its first page when a run is cut, because the set
 *   of ids seen so far lives only in memory.
 * - `incremental`: `syncToken` lists the changes since the last run; `pageToken` is set while such a listing is paged.
 *
 * If the checkpoint is lost (or unreadable) while records are cached, every configured calendar goes through
 * `resync` and records of calendars no longer configured are deleted, so the cache ends up equal to Google again;
 * nothing is duplicated because record ids are `<calendarId>/<eventId>`. Without cached records a lost checkpoint is
 * simply a first run.
 */
import { z } from 'zod';

export const CalendarProgress = z.object({
    /** The calendar's real id (`primary` resolved to the user's address). */
    calendarId: z.string(),
    /** How the metadata names it (`primary`, or the id itself), to match metadata to state across runs. */
    configured: z.string(),
    phase: z.enum(['full', 'resync', 'incremental']),
    pageToken: z.string().nullable(),
    syncToken: z.string().nullable(),
    timeMin: z.string().nullable(),
    /**
     * Recurring events seen cancelled whose exceptions may still be cached; they are looked up and deleted when the
     * listing ends. Kept here so a run cut in between still cleans them up.
     */
    seriesCleanup: z.array(z.string()).default([])
});
export type CalendarProgress = z.infer<typeof CalendarProgress>;

export const SyncState = z.object({
    v: z.literal(1),
    calendars: z.array(CalendarProgress)
});
export type SyncState = z.infer<typeof SyncState>;

/** The checkpoint Nango stores: flat, one string. */
export const EventsCheckpoint = z.object({
    state: z.string()
});
export type EventsCheckpoint = z.infer<typeof EventsCheckpoint>;

/** The state in a checkpoint, or null when there is none or it cannot be read (treated as lost). */
export function readState(checkpoint: unknown): SyncState | null {
    const flat = EventsCheckpoint.safeParse(checkpoint);
    if (!flat.success) return null;
    let json: unknown;
    try {
        json = JSON.parse(flat.data.state);
    } catch {
        return null;
    }
    const state = SyncState.safeParse(json);
    return state.success ? state.data : null;
}

export function writeState(state: SyncState): EventsCheckpoint {
    return { state: JSON.stringify(state) };
}

export function newProgress(calendarId: string, configured: string, phase: 'full' | 'resync'): CalendarProgress {
    return { calendarId, configured, phase, pageToken: null, syncToken: null, timeMin: null, seriesCleanup: [] };
}
