import { createSync } from 'nango';
import { z } from 'zod';
import { GoogleContact } from '../../../models.js';
import { isExpiredSyncToken } from '../../shared/google-errors.js';
import { readCheckpoint } from '../checkpoints.js';
import { toGoogleContact } from '../mappers.js';
import { connectionPages } from '../pages.js';
import type { WindowPacer } from '../../shared/pace.js';
import { peoplePacer } from '../people-quota.js';
import { PeoplePerson } from '../schemas.js';

/**
 * `phase: 'full'`: a full listing is under way; `pageToken` is its next page ('' = the first), `resync` whether it
 * replaces an existing cache (deletes tracked). `phase: 'incremental'`: `syncToken` lists the changes since the last
 * run; `pageToken` is set while such a listing is paged.
 */
const Checkpoint = z.object({
    phase: z.string(),
    syncToken: z.string(),
    pageToken: z.string(),
    resync: z.boolean()
});
/** What a checkpoint is read with: Nango declares checkpoint fields as string, number or boolean only
 * (`ZodCheckpoint` in @nangohq/runner-sdk), so the phases are enforced here, where the checkpoint is read. */
const SavedCheckpoint = Checkpoint.extend({ phase: z.enum(['full', 'incremental']) });
type Checkpoint = z.infer<typeof SavedCheckpoint>;

const sync = createSync({
    description:
        "The user's Google contacts (People API connections): names, emails, phones, organizations, photo. Incremental by sync token; an expired token leads to a full resync.",
    version: '1.0.0',
    frequency: 'every hour',
    autoStart: true,
    scopes: ['https://www.googleapis.com/auth/contacts.readonly'],
    models: { GoogleContact },
    checkpoint: Checkpoint,
    exec: async (nango) => {
        const checkpoint = readCheckpoint(SavedCheckpoint, await nango.getCheckpoint(), 'gmail-contacts');
        // One pacer for the whole execution: a resync after an expired token shares the minute of the failed call.
        const pacer = peoplePacer();
        if (checkpoint?.phase === 'incremental' && checkpoint.syncToken !== '') {
            try {
                await syncChanges(nango, checkpoint, pacer);
            } catch (error) {
                if (!isExpiredSyncToken(error)) throw error;
                // Sync tokens expire seven days after the full sync that issued them: list everything again.
                await nango.log('The People sync token has expired (EXPIRED_SYNC_TOKEN): resyncing all contacts', { level: 'warn' });
                // Recorded before the first page: the trackDeletes window opened below stays open across executions,
                // so a failed or cut resync must be finished by the next run, never left for increments to feed.
                const resync: Checkpoint = { phase: 'full', syncToken: '', pageToken: '', resync: true };
                await nango.saveCheckpoint(resync);
                await syncAll(nango, resync, pacer);
            }
            return;
        }
        await syncAll(nango, checkpoint?.phase === 'full' ? checkpoint : null, pacer);
    }
});

type Nango = Parameters<(typeof sync)['exec']>[0];

/** Splits a page into contacts to save and resource names to delete; unreadable entries are logged and skipped. */
async function readPage(nango: Nango, connections: readonly unknown[]): Promise<{ save: GoogleContact[]; remove: { id: string }[] }> {
    const save: GoogleContact[] = [];
    const remove: { id: string }[] = [];
    for (const entry of connections) {
        const parsed = PeoplePerson.safeParse(entry);
        if (!parsed.success) {
            await nango.log(`Skipped a contact that could not be read: ${parsed.error.issues[0]?.message ?? 'invalid'}`, { level: 'warn' });
            continue;
        }
        if (parsed.data.metadata?.deleted === true) remove.push({ id: parsed.data.resourceName });
        else save.push(toGoogleContact(parsed.data));
    }
    return { save, remove };
}

async function syncAll(nango: Nango, resume: Checkpoint | null, pacer: WindowPacer): Promise<void> {
    let state: Checkpoint = resume ?? { phase: 'full', syncToken: '', pageToken: '', resync: false };
    if (resume === null) {
        // Recorded before the first save: a first listing that dies before its first page checkpoint must be known
        // to the next run, since what it saved may be deleted at People before that run lists it again.
        await nango.saveCheckpoint(state);
    } else if (!state.resync && state.pageToken === '') {
        // An earlier execution began the first listing and saved an unknown part of its first page: list again as a
        // resync, so what it saved and People has deleted since is removed. Its first attempt opened no window, so
        // the one opened now starts here, after those saves.
        state = { ...state, resync: true };
        await nango.saveCheckpoint(state);
    }
    // The window stays open across executions until trackDeletesEnd, so a resumed resync opens it again.
    if (state.resync) await nango.trackDeletesStart('GoogleContact');
    let syncToken: string | null = null;
    // A stored page token People refuses (stale) restarts the listing from the first page: saves are upserts.
    const restart = () => {
        state = { ...state, pageToken: '' };
    };
    for await (const page of connectionPages(nango, { syncToken: null, pageToken: state.pageToken || null, pacer, onRestart: restart })) {
        const { save } = await readPage(nango, page.connections ?? []);
        await nango.batchSave(save, 'GoogleContact');
        if (page.nextPageToken) {
            state = { ...state, pageToken: page.nextPageToken };
            await nango.saveCheckpoint(state);
        }
        syncToken = page.nextSyncToken ?? syncToken;
    }
    if (state.resync) await nango.trackDeletesEnd('GoogleContact');
    if (!syncToken) throw new Error('people.connections.list returned no nextSyncToken on its last page (requestSyncToken=true)');
    await nango.saveCheckpoint({ phase: 'incremental', syncToken, pageToken: '', resync: false });
}

async function syncChanges(nango: Nango, state: Checkpoint, pacer: WindowPacer): Promise<void> {
    let nextSyncToken: string | null = null;
    // Listing the changes again from their first page repeats saves and deletes, which is harmless.
    const restart = () => undefined;
    for await (const page of connectionPages(nango, {
        syncToken: state.syncToken,
        pageToken: state.pageToken || null,
        pacer,
        onRestart: restart
    })) {
        const { save, remove } = await readPage(nango, page.connections ?? []);
        await nango.batchSave(save, 'GoogleContact');
        if (remove.length > 0) await nango.batchDelete(remove, 'GoogleContact');
        if (page.nextPageToken) await nango.saveCheckpoint({ ...state, pageToken: page.nextPageToken });
        nextSyncToken = page.nextSyncToken ?? nextSyncToken;
    }
    if (!nextSyncToken) throw new Error('people.connections.list returned no nextSyncToken on its last page (requestSyncToken=true)');
    await nango.saveCheckpoint({ phase: 'incremental', syncToken: nextSyncToken, pageToken: '', resync: false });
}

export default sync;
