/**
 * Per-calendar sync state inside Nango's flat checkpoint.
 *
 * Calendar sync tokens are per calendar, and a run walks several calendars, so one `syncToken` slot would keep only
 * the last calendar's token. Every calendar's progress is kept, compactly, in the checkpoint itself:
 *
 *   { "state": "{\"v\":2,\"c\":[[\"alex@example.com\",\"primary\",\"i\",\"C...\",\"\",1736942400000,0], ...",
 *     "state1": "...]]}" }
 *
 * one JSON document (`v: 2`, one tuple per calendar) cut into as many string fields as it needs. Nango's server
 * refuses a checkpoint with more than 16 fields or a string value over 4,000 characters (NangoHQ/nango
 * packages/shared/lib/services/checkpoints/checkpoints.ts: CHECKPOINT_MAX_FIELDS, CHECKPOINT_STRING_VALUE_MAX_LENGTH;
 * persist answers `invalid_checkpoint_format`), so the state holds at most 16 × 4,000 = 64,000 characters: about
 * 170 per calendar with ids of Google's longest form (`c_<64 hex>@group.calendar.google.com`) and 45-character sync
 * tokens, so some 370 calendars (more with shorter ids). Beyond that the run fails before listing anything, naming
 * the remedy.
 *
 * Why the checkpoint and not elsewhere:
 * - A checkpoint save is one versioned write (checkpoints.ts, `upsertCheckpoint`), and Nango cuts a long run right
 *   after a saveCheckpoint completes (docs/guides/functions/syncs/checkpoints.mdx): the tokens of every calendar and
 *   the page just saved move together, whatever point a run is cut at.
 * - Connection metadata belongs to the product's backend: its `setMetadata` replaces the whole object
 *   (docs/guides/functions/storage.mdx), which would wipe tokens kept there, a function may read it up to 60 s stale
 *   within an execution (same page), and the docs keep it for configuration, not lists the sync grows.
 * - A record per calendar would reach the product as a model, and a record unchanged for 30 days loses its payload
 *   (docs/guides/platform/limits.mdx): the token of a quiet calendar would vanish.
 *
 * Phases of one calendar:
 * - `full`: its first listing (nothing of it is cached yet), from `timeMin`; `pageToken` is the next page. Resumable
 *   page by page. Until its first page is checkpointed it is saved as `resync`: a run cut after saving that page
 *   would otherwise list anew and never learn of events on it cancelled in between.
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

/** Nango's limits on a checkpoint (checkpoints.ts, see above). */
const MAX_FIELDS = 16;
const MAX_STRING = 4000;
export const STATE_CAPACITY = MAX_FIELDS * MAX_STRING;

export const Phase = z.enum(['full', 'resync', 'incremental']);
export type Phase = z.infer<typeof Phase>;

export const CalendarProgress = z.object({
    /** The calendar's real id (`primary` resolved to the user's address). */
    calendarId: z.string(),
    /** How the metadata names it (`primary`, or the id itself), to match metadata to state across runs. */
    configured: z.string(),
    phase: Phase,
    pageToken: z.string().nullable(),
    syncToken: z.string().nullable(),
    /**
     * The window start of the calendar's first full listing (`now - backfillDays` then), kept for good: a page token
     * belongs to the exact query, and a resync after 410 lists the same window again, so the cache does not lose
     * events it held because time has passed. Null only in states written before it was kept.
     */
    timeMin: z.string().nullable(),
    /**
     * The listing met an exception whose series it could not yet tell live (not on the page, not live in the cache:
     * the series may come on a later page, or be cancelled), or a series cancelled: when the listing ends, cached
     * exceptions of the calendar whose series is not live are deleted. Kept here so a run cut in between still does.
     */
    sweep: z.boolean()
});
export type CalendarProgress = z.infer<typeof CalendarProgress>;

export interface SyncState {
    calendars: CalendarProgress[];
}

const PHASE_CODES = { full: 'f', resync: 'r', incremental: 'i' } as const;
const PHASES = { f: 'full', r: 'resync', i: 'incremental' } as const;

/** One calendar as stored: [calendarId, configured ('' = the id), phase, syncToken, pageToken, timeMin ms (0 = none), sweep 0/1]. */
const StoredCalendar = z.tuple([
    z.string(),
    z.string(),
    z.enum(['f', 'r', 'i']),
    z.string(),
    z.string(),
    z.number().int().nonnegative(),
    z.union([z.literal(0), z.literal(1)])
]);
const StoredState = z.object({ v: z.literal(2), c: z.array(StoredCalendar) });

/** Before the state was cut into parts: one `state` field holding `{ v: 1, calendars: [CalendarProgress] }`. */
const LegacyState = z.object({
    v: z.literal(1),
    calendars: z.array(CalendarProgress.omit({ sweep: true }).extend({ seriesCleanup: z.array(z.string()).default([]) }))
});

const PART_KEYS = Array.from({ length: MAX_FIELDS }, (_, index) => (index === 0 ? 'state' : `state${index}`));

/**
 * The checkpoint Nango stores: flat, the state's parts in order (`state`, `state1`, ... `state15`), the unused ones
 * empty (a checkpoint schema takes no optional fields).
 */
export const EventsCheckpoint = z.object(Object.fromEntries(PART_KEYS.map((key) => [key, z.string().max(MAX_STRING)])));
export type EventsCheckpoint = z.infer<typeof EventsCheckpoint>;

/** The state in a checkpoint, or null when there is none or it cannot be read (treated as lost). */
export function readState(checkpoint: unknown): SyncState | null {
    // Read loosely: a checkpoint of the one-field layout (`state` alone) is still this sync's state.
    const flat = z.record(z.string(), z.unknown()).safeParse(checkpoint);
    if (!flat.success || typeof flat.data['state'] !== 'string') return null;
    const fields = flat.data;
    const text = PART_KEYS.map((key) => (typeof fields[key] === 'string' ? fields[key] : '')).join('');
    let json: unknown;
    try {
        json = JSON.parse(text);
    } catch {
        return null;
    }
    const legacy = LegacyState.safeParse(json);
    if (legacy.success) {
        return {
            calendars: legacy.data.calendars.map(({ seriesCleanup, ...progress }) => ({ ...progress, sweep: seriesCleanup.length > 0 }))
        };
    }
    const stored = StoredState.safeParse(json);
    if (!stored.success) return null;
    return {
        calendars: stored.data.c.map(([calendarId, configured, phase, syncToken, pageToken, timeMin, sweep]) => ({
            calendarId,
            configured: configured || calendarId,
            phase: PHASES[phase],
            syncToken: syncToken || null,
            pageToken: pageToken || null,
            timeMin: timeMin > 0 ? new Date(timeMin).toISOString() : null,
            sweep: sweep === 1
        }))
    };
}

/** The state no longer fits in a checkpoint Nango accepts. */
export class StateTooLargeError extends Error {}

function encode(state: SyncState): string {
    const stored: z.infer<typeof StoredState> = {
        v: 2,
        c: state.calendars.map((progress) => [
            progress.calendarId,
            progress.configured === progress.calendarId ? '' : progress.configured,
            PHASE_CODES[progress.phase],
            progress.syncToken ?? '',
            progress.pageToken ?? '',
            progress.timeMin ? Date.parse(progress.timeMin) : 0,
            progress.sweep ? 1 : 0
        ])
    };
    return JSON.stringify(stored);
}

function tooLarge(state: SyncState, length: number): StateTooLargeError {
    const perCalendar = Math.ceil(length / Math.max(1, state.calendars.length));
    return new StateTooLargeError(
        `The events sync cannot keep the progress of ${state.calendars.length} calendars: it needs ${length} characters and ` +
            `Nango's checkpoint holds ${STATE_CAPACITY} (16 fields of at most 4,000 each). Sync fewer calendars: list the ones ` +
            `needed in the connection metadata's calendarIds instead of allCalendars (about ${Math.floor(STATE_CAPACITY / perCalendar)} ` +
            `calendars fit), or split them across connections.`
    );
}

export function writeState(state: SyncState): EventsCheckpoint {
    const text = encode(state);
    const parts = Math.max(1, Math.ceil(text.length / MAX_STRING));
    if (parts > MAX_FIELDS) throw tooLarge(state, text.length);
    const checkpoint: Record<string, string> = {};
    PART_KEYS.forEach((key, index) => (checkpoint[key] = text.slice(index * MAX_STRING, (index + 1) * MAX_STRING)));
    return checkpoint;
}

/** Characters a sync token takes at most in our experience of Google's (about 30-45); room kept for every calendar. */
const TOKEN_ROOM = 64;

/**
 * Fails before any listing when the calendars could not all keep a sync token, so a run never saves pages it can
 * never checkpoint past.
 */
export function assertRoomFor(state: SyncState): void {
    const tokensToCome = state.calendars.filter((progress) => progress.syncToken === null).length * TOKEN_ROOM;
    const length = encode(state).length + tokensToCome;
    if (length > STATE_CAPACITY) throw tooLarge(state, length);
}

export function newProgress(calendarId: string, configured: string, phase: 'full' | 'resync'): CalendarProgress {
    return { calendarId, configured, phase, pageToken: null, syncToken: null, timeMin: null, sweep: false };
}
