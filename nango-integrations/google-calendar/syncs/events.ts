import { createSync } from 'nango';
import { z } from 'zod';
import { GoogleCalendarEvent, GoogleCalendarEventsMetadata as Metadata } from '../../../models.js';
import { describeFailure, googleFailureOf, isExpiredSyncToken, isNotFound, isRateLimited } from '../../shared/google-errors.js';
import { RepeatedPageTokenError, resumedPages } from '../../shared/page-tokens.js';
import { mapPooled, type TokenBucket } from '../../shared/pace.js';
import { readAhead } from '../../shared/read-ahead.js';
import { cachedEvents, deleteCachedEvents, deleteOrphanExceptions, hasCachedEvents, isLiveSeries, SeenIds } from '../cache.js';
import {
    assertRoomFor,
    EventsCheckpoint,
    newProgress,
    readState,
    writeState,
    type CalendarProgress,
    type SyncState
} from '../calendar-state.js';
import { eventRecordId, toGoogleCalendarEvent } from '../mappers.js';
import { readMetadata } from '../metadata.js';
import { calendarBucket, calendarIdOf, eventPages, listedCalendarIds, readEvents } from '../pages.js';
import { pushSettings, readPushMessage, reconcileChannels, recordedChannels, stopAllChannels } from '../push.js';
import type { CalendarEventResource } from '../schemas.js';

const DAY_MS = 86_400_000;
/**
 * Calendars listed side by side. Their sync tokens and pages are independent, so a run over several calendars takes
 * about as long as its largest one; the run's pace (pages.ts) keeps them together under the per-user quota.
 */
const CALENDARS_AT_ONCE = 4;

/**
 * Recurring events are stored as Google keeps them: the master (with its RRULE/EXDATE lines in `recurrence`) and
 * its exceptions (`recurringEventId` + `originalStartTime`), listed with `singleEvents=false`. Expanding instances
 * instead would make every edit of a daily series rewrite hundreds of records, could never cover a series without an
 * end, and instances entering the window as time passes would reach the cache only on a full resync. An edited
 * instance is a record of its own; a cancelled instance of a live series is kept as a record with status
 * `cancelled` (Google: "clients should store these events for the lifetime of the parent recurring event"), so a
 * reader expanding the series knows to leave that occurrence out. When a series is cancelled, it and its exceptions
 * leave the cache.
 */
const sync = createSync({
    description:
        'Events of the chosen Google calendars (primary by default, or every calendar in the list): timed, all-day, recurring masters with their exceptions, attendees and Meet links. Per-calendar sync tokens; cancellations delete; a 410 resyncs that calendar alone.',
    version: '1.0.0',
    frequency: 'every 10 minutes',
    autoStart: true,
    scopes: ['https://www.googleapis.com/auth/calendar.readonly'],
    models: { GoogleCalendarEvent },
    metadata: Metadata,
    checkpoint: EventsCheckpoint,
    // Calendar push (push.ts): Nango's webhook type is the message's X-Goog-Resource-State; every state is read here.
    webhookSubscriptions: ['*'],
    exec: async (nango) => {
        // A push may save an event while this run lists it: an older copy from this run must not overwrite it.
        await nango.setMergingStrategy({ strategy: 'ignore_if_modified_after' }, 'GoogleCalendarEvent');
        const metadata = readMetadata(await nango.getMetadata());
        const previous = readState(await nango.getCheckpoint());
        const lost = previous === null && (await hasCachedEvents(nango));
        if (lost) await nango.log('No readable checkpoint but events are cached: resyncing every calendar in full', { level: 'warn' });

        const run: Run = {
            nango,
            state: { calendars: [] },
            backfillDays: metadata.backfillDays ?? 365,
            pace: calendarBucket(),
            begun: new Set(),
            saving: Promise.resolve(),
            halted: null
        };
        const targets = await targetCalendars(nango, metadata, previous);
        for (const target of targets) {
            const known = previous?.calendars.find((progress) => progress.calendarId === target.calendarId);
            run.state.calendars.push(
                known
                    ? { ...known, configured: target.configured }
                    : newProgress(target.calendarId, target.configured, lost ? 'resync' : 'full')
            );
        }
        assertRoomFor(run.state);
        await removeDroppedCalendars(run, previous, lost);
        // First listings are checkpointed as resyncs before they begin (see listAll): all in this one save, rather
        // than one each, queued behind the others' while their first requests wait.
        for (const progress of run.state.calendars) {
            if (!startsFirstListing(run, progress)) continue;
            progress.timeMin ??= windowStart(run);
            run.begun.add(progress);
        }
        if (run.begun.size > 0 || JSON.stringify(run.state) !== JSON.stringify(previous)) await save(run);
        await maintainPush(run, metadata);

        const failures = new Map<CalendarProgress, string>();
        await mapPooled([...run.state.calendars], { concurrency: CALENDARS_AT_ONCE }, async (progress) => {
            try {
                await syncCalendar(run, progress);
            } catch (error) {
                if (!isCalendarFailure(error)) {
                    // Holds for every calendar (see isCalendarFailure): the others stop at their next page.
                    run.halted ??= error;
                    throw error;
                }
                // This calendar alone failed: its progress stays as last saved, so it resumes there next run.
                failures.set(progress, `${progress.calendarId}: ${describeFailure(error)}`);
                await nango.log(`Calendar ${progress.calendarId} failed (${describeFailure(error)}); syncing the others`, {
                    level: 'error'
                });
            }
        });
        // In the calendars' order, however the listings interleaved.
        const failed = run.state.calendars.filter((progress) => failures.has(progress)).map((progress) => failures.get(progress)!);
        if (failed.length > 0) {
            throw new Error(
                `${failed.length} of ${run.state.calendars.length} calendar(s) failed and resume from their checkpoint next run: ${failed.join('; ')}`
            );
        }
    },
    /**
     * One push message (the request's headers): checked against the connection's channel token, then that calendar's
     * changes are listed and applied exactly as the poll does. Nango keeps a webhook run's checkpoint apart from the
     * sync's (`webhook:events` beside `sync:events`, packages/runner/lib/sdk/sdk.ts getCheckpointKey), so the sync
     * tokens read here are the webhook's own, one per pushed calendar: the poll's never move, duplicated or
     * reordered messages list nothing new, and the first message of a calendar lists it from the backfill window.
     */
    onWebhook: async (nango, payload) => {
        const metadata = readMetadata(await nango.getMetadata());
        const message = readPushMessage(payload, metadata);
        if (message.kind === 'ignored') {
            await nango.log(message.reason, { level: 'warn' });
            return;
        }
        if (message.kind === 'handshake') {
            await nango.log(`Push channel ${message.channelId} on ${message.calendarId} is open`);
            return;
        }
        await nango.setMergingStrategy({ strategy: 'ignore_if_modified_after' }, 'GoogleCalendarEvent');
        const state = readState(await nango.getCheckpoint()) ?? { calendars: [] };
        let progress = state.calendars.find((known) => known.calendarId === message.calendarId);
        if (!progress) {
            progress = newProgress(message.calendarId, message.calendarId, 'full');
            state.calendars.push(progress);
            assertRoomFor(state);
        }
        const run: Run = {
            nango,
            state,
            backfillDays: metadata.backfillDays ?? 365,
            pace: calendarBucket(),
            begun: new Set(),
            saving: Promise.resolve(),
            halted: null,
            push: true
        };
        await listCalendar(run, progress);
    }
});

/** Thrown when a calendar's listing breaks one of its own rules (no sync token; a repeated page token is the guard's). */
class CalendarListingError extends Error {}

/**
 * A failure of one calendar (an error answer about it, or a listing that makes no sense), after which the others can
 * still sync. Not one: rate limits and refused credentials, which hold for every calendar of the user (the next
 * calendar would wait out Nango's retries again), a request that got no answer at all, and our own failures
 * (records, checkpoint).
 */
function isCalendarFailure(error: unknown): boolean {
    if (error instanceof CalendarListingError || error instanceof RepeatedPageTokenError || error instanceof z.ZodError) return true;
    const status = googleFailureOf(error).status;
    return status !== null && status !== 401 && !isRateLimited(error);
}

type Nango = Parameters<(typeof sync)['exec']>[0];

interface Run {
    nango: Nango;
    state: SyncState;
    backfillDays: number;
    pace: TokenBucket;
    /** Calendars whose first listing began at its first page and has not checkpointed a page yet (see listAll). */
    begun: Set<CalendarProgress>;
    /** The last checkpoint save asked for. */
    saving: Promise<void>;
    /** The failure that ends the run, once one calendar met it. */
    halted: unknown;
    /**
     * A push run (onWebhook): it never deletes by absence, since its window may start later than the poll's, which
     * would take events the poll keeps; deletions it cannot see are the poll's to make.
     */
    push?: boolean;
}

/**
 * Checkpoints the state as it is when the save's turn comes. Nango refuses a save sent while another of the same
 * execution is unanswered (versioned saves, see runtime/run-context.ts), so calendars listed side by side queue
 * theirs; each calendar's progress moves only after the data it covers is saved, so any state written is safe.
 */
async function save(run: Run): Promise<void> {
    const turn = run.saving.then(() => run.nango.saveCheckpoint(writeState(persisted(run))));
    run.saving = turn.catch(() => undefined);
    await turn;
}

/** The state to checkpoint: a first listing not yet past its first page is saved as a resync (see listAll). */
function persisted(run: Run): SyncState {
    return {
        calendars: run.state.calendars.map((progress) =>
            run.begun.has(progress) ? { ...progress, phase: 'resync' as const, pageToken: null } : progress
        )
    };
}

/** The calendars this run covers, with `primary` resolved to its real id once (then remembered in the state). */
async function targetCalendars(
    nango: Nango,
    metadata: z.infer<typeof Metadata>,
    previous: SyncState | null
): Promise<{ configured: string; calendarId: string }[]> {
    if (metadata.allCalendars) {
        return (await listedCalendarIds(nango)).map((calendarId) => ({ configured: calendarId, calendarId }));
    }
    const targets: { configured: string; calendarId: string }[] = [];
    for (const configured of metadata.calendarIds ?? ['primary']) {
        const known = previous?.calendars.find((progress) => progress.configured === configured);
        const calendarId = known ? known.calendarId : configured === 'primary' ? await calendarIdOf(nango, 'primary') : configured;
        if (!targets.some((target) => target.calendarId === calendarId)) targets.push({ configured, calendarId });
    }
    return targets;
}

/** Events of calendars no longer synced leave the cache; after a lost checkpoint, those of any calendar not synced. */
async function removeDroppedCalendars(run: Run, previous: SyncState | null, lost: boolean): Promise<void> {
    const kept = new Set(run.state.calendars.map((progress) => progress.calendarId));
    const dropped = new Set((previous?.calendars ?? []).map((progress) => progress.calendarId).filter((id) => !kept.has(id)));
    if (dropped.size === 0 && !lost) return;
    const deleted = await deleteCachedEvents(run.nango, (event) => (lost ? !kept.has(event.calendarId) : dropped.has(event.calendarId)));
    if (dropped.size > 0 || deleted > 0) {
        await run.nango.log(`Removed ${deleted} cached event(s) of calendars no longer synced: ${[...dropped].join(', ') || '(unknown)'}`);
    }
}

async function syncCalendar(run: Run, progress: CalendarProgress): Promise<void> {
    try {
        await listCalendar(run, progress);
    } catch (error) {
        if (!isInaccessible(error)) throw error;
        // The calendar is gone or no longer shared with the user: its events leave the cache; it is tried again next run.
        await run.nango.log(`Calendar ${progress.calendarId} cannot be read (${describeFailure(error)}): dropping its events`, {
            level: 'warn'
        });
        const cachedSomething = progress.phase !== 'full' || progress.pageToken !== null;
        if (cachedSomething) await deleteCachedEvents(run.nango, (event) => event.calendarId === progress.calendarId);
        run.state.calendars = run.state.calendars.filter((other) => other !== progress);
        await save(run);
    }
}

/**
 * One channel per synced calendar, renewed before it expires, stopped with its calendar or when push is turned off.
 * Push is an addition to polling: a failure here is logged and the run goes on.
 */
async function maintainPush(run: Run, metadata: z.infer<typeof Metadata>): Promise<void> {
    const settings = pushSettings(metadata);
    try {
        if (settings) {
            await reconcileChannels(
                run.nango,
                settings,
                run.state.calendars.map((progress) => progress.calendarId),
                Date.now()
            );
        } else if (recordedChannels(metadata).length > 0) {
            await stopAllChannels(run.nango, recordedChannels(metadata));
        }
    } catch (error) {
        await run.nango.log(`Push channels not maintained this run (${describeFailure(error)}); polling goes on`, { level: 'error' });
    }
}

/**
 * One calendar's changes since its sync token, or its full listing. After a 410 that calendar alone is listed again
 * over the window the first listing did, so the cache keeps what it holds of it: by the poll as a resync (what
 * vanished is deleted), by a push run in full without deleting anything, since a push's window may start later than
 * the poll's (the poll's own 410 resyncs).
 */
async function listCalendar(run: Run, progress: CalendarProgress): Promise<void> {
    if (progress.phase === 'incremental') {
        try {
            await listChanges(run, progress);
            return;
        } catch (error) {
            if (!isExpiredSyncToken(error)) throw error;
            await run.nango.log(
                run.push
                    ? `Push: sync token of ${progress.calendarId} is no longer valid (410): listing it again`
                    : `Sync token of ${progress.calendarId} is no longer valid (410): resyncing that calendar`,
                { level: 'warn' }
            );
            const phase = run.push ? 'full' : 'resync';
            Object.assign(progress, { ...newProgress(progress.calendarId, progress.configured, phase), timeMin: progress.timeMin });
            await save(run);
        }
    }
    await listAll(run, progress);
}

/** 404, or a 403 that is about access rather than rate (Nango has already retried it). */
function isInaccessible(error: unknown): boolean {
    if (isNotFound(error)) return true;
    const failure = googleFailureOf(error);
    return failure.status === 403 && failure.reasons.some((reason) => reason === 'forbidden' || reason === 'requiredAccessLevel');
}

/**
 * A full listing of one calendar: `full` (first run, resumable page by page) or `resync` (replaces the cache's view
 * of the calendar: restarts from its first page when cut, then deletes what it did not see). Ends with the
 * calendar's sync token.
 *
 * A first listing that starts from its first page is checkpointed as a resync until its first page is saved and
 * checkpointed. Google omits cancelled events from a full listing, and the listing's sync token covers only what
 * changed after the listing began: if a run saved a page and stopped before the checkpoint after it, the next run
 * lists anew and would never learn of an event on that page cancelled in between. As a resync it deletes it.
 */
async function listAll(run: Run, progress: CalendarProgress): Promise<void> {
    const listing: Listing = { seen: progress.phase === 'resync' && !run.push ? new SeenIds() : null };
    progress.timeMin ??= windowStart(run);
    if (listing.seen) progress.pageToken = null;
    if (startsFirstListing(run, progress) && !run.begun.has(progress)) {
        run.begun.add(progress);
        await save(run);
    }
    // A push run's full listing asks for cancelled events too: with no older token it would not learn of them.
    const query = { syncToken: null, timeMin: progress.timeMin, showDeleted: run.push === true };
    const syncToken = await readPages(run, progress, query, listing);
    const seen = listing.seen;
    if (seen) {
        const deleted = await deleteCachedEvents(run.nango, (event) => event.calendarId === progress.calendarId && !seen.has(event.id));
        await run.nango.log(
            `Resynced ${progress.calendarId}: ${seen.size} event(s) listed, ${deleted} cached event(s) no longer there deleted`
        );
        // A resync sweeps in any case: a series that vanished was deleted just now, and its exceptions were listed.
        progress.sweep = true;
    }
    await sweepExceptions(run, progress);
    Object.assign(progress, { phase: 'incremental', syncToken, pageToken: null });
    run.begun.delete(progress);
    await save(run);
}

/** Where a full listing starts: the backfill window before now. */
function windowStart(run: Run): string {
    return new Date(Date.now() - run.backfillDays * DAY_MS).toISOString();
}

/** A poll's first listing of a calendar that starts at its first page (a resync has its own way to be safe). */
function startsFirstListing(run: Run, progress: CalendarProgress): boolean {
    return progress.phase === 'full' && progress.pageToken === null && !run.push;
}

/** A listing in progress: `seen` collects the record ids of a resync (null for a listing that resumes by page token). */
interface Listing {
    seen: SeenIds | null;
}

/** The changes since the calendar's sync token (cancellations included, as Google always sends them). */
async function listChanges(run: Run, progress: CalendarProgress): Promise<void> {
    const syncToken = await readPages(run, progress, { syncToken: progress.syncToken, timeMin: null }, { seen: null });
    const swept = await sweepExceptions(run, progress);
    if (syncToken === progress.syncToken && progress.pageToken === null && !swept) return;
    Object.assign(progress, { syncToken, pageToken: null });
    await save(run);
}

/** The sweep a listing asked for (see `CalendarProgress.sweep`); whether there was one. */
async function sweepExceptions(run: Run, progress: CalendarProgress): Promise<boolean> {
    if (!progress.sweep) return false;
    const deleted = await deleteOrphanExceptions(run.nango, progress.calendarId);
    if (deleted > 0) await run.nango.log(`${deleted} exception(s) of recurring events no longer live in ${progress.calendarId} deleted`);
    progress.sweep = false;
    return true;
}

/**
 * Reads a listing from `progress.pageToken` to its last page, saving each page and checkpointing after it; returns
 * the last page's nextSyncToken. A page token that Google no longer accepts (400 on the first request of a resumed
 * listing) restarts the listing from its first page, once; a first listing restarted so goes on as a resync, since
 * the new listing's sync token no longer covers what changed on the pages read before.
 */
async function readPages(
    run: Run,
    progress: CalendarProgress,
    query: { syncToken: string | null; timeMin: string | null; showDeleted?: boolean },
    listing: Listing
): Promise<string> {
    const listed = resumedPages(progress.pageToken, {
        pages: (pageToken: string | null) => eventPages(run.nango, { calendarId: progress.calendarId, ...query, pageToken }, run.pace),
        isRefusedToken: (error) => googleFailureOf(error).status === 400,
        onRestart: async (error) => {
            await run.nango.log(
                `Page token of ${progress.calendarId} refused (${describeFailure(error)}): listing again from the first page`,
                { level: 'warn' }
            );
            progress.pageToken = null;
            if (progress.phase === 'full' && !run.push) {
                progress.phase = 'resync';
                listing.seen = new SeenIds();
                run.begun.delete(progress);
            }
        }
    });
    for await (const page of readAhead(listed)) {
        if (run.halted !== null) throw run.halted;
        const events = await readEvents(run.nango, progress.calendarId, page.items);
        if (await applyPage(run, progress.calendarId, events, listing.seen)) progress.sweep = true;
        if (page.nextPageToken === null) {
            if (!page.nextSyncToken)
                throw new CalendarListingError(`events.list on ${progress.calendarId} returned no nextSyncToken on its last page`);
            return page.nextSyncToken;
        }
        // A resync keeps no page token: the ids it has seen would not survive a cut run anyway.
        if (!listing.seen) progress.pageToken = page.nextPageToken;
        run.begun.delete(progress);
        await save(run);
    }
    throw new CalendarListingError(`events.list on ${progress.calendarId} ended without a last page`);
}

/**
 * Saves a page's live events and deletes its cancelled ones, except cancelled instances of a live series, which are
 * kept (status `cancelled`) so the series' readers know the occurrence is gone. Whether a series is live is known
 * from the page, else from the cache; when neither tells (the series may come on a later page, or is cancelled and
 * not listed), the instance is kept for now and the listing ends with a sweep. Returns whether a sweep is needed:
 * also when a cached series is cancelled, since Google may not list its already-cancelled instances again.
 * Empties `events` once they are mapped.
 */
async function applyPage(run: Run, calendarId: string, events: CalendarEventResource[], seen: SeenIds | null): Promise<boolean> {
    const save: GoogleCalendarEvent[] = [];
    const remove: { id: string }[] = [];
    const cancelledInstances: CalendarEventResource[] = [];
    const cancelled: CalendarEventResource[] = [];
    const liveHere = new Set<string>();
    for (const event of events) {
        if (event.status === 'cancelled' && event.recurringEventId) cancelledInstances.push(event);
        else if (event.status === 'cancelled') cancelled.push(event);
        else {
            save.push(toGoogleCalendarEvent(calendarId, event));
            liveHere.add(event.id);
        }
    }
    // The events as Google sent them are not needed past here: let them go before the page is saved (with several
    // calendars listed side by side, each one's page would otherwise be held through the others' saves).
    events.length = 0;
    const deadHere = new Set(cancelled.map((event) => event.id));
    const lookups = new Set([...deadHere, ...cancelledInstances.map((event) => event.recurringEventId!)].filter((id) => !liveHere.has(id)));
    const cached = await cachedEvents(run.nango, calendarId, [...lookups]);
    let sweep = false;
    for (const event of cancelled) {
        remove.push({ id: eventRecordId(calendarId, event.id) });
        const series = cached.get(event.id);
        if ((event.recurrence ?? []).length > 0 || (isLiveSeries(series) && series!.isSeries)) sweep = true;
    }
    for (const event of cancelledInstances) {
        const series = event.recurringEventId!;
        const known = cached.get(series);
        if (deadHere.has(series) || (known !== undefined && !isLiveSeries(known))) {
            remove.push({ id: eventRecordId(calendarId, event.id) });
            continue;
        }
        save.push(toGoogleCalendarEvent(calendarId, event));
        if (!liveHere.has(series) && known === undefined) sweep = true;
    }
    if (seen) for (const record of save) seen.add(record.id);
    if (save.length > 0) await run.nango.batchSave(save, 'GoogleCalendarEvent');
    if (remove.length > 0) await run.nango.batchDelete(remove, 'GoogleCalendarEvent');
    return sweep;
}

export default sync;
