import { describe, expect, it } from 'vitest';
import type { GoogleCalendarEventsMetadata } from '../../models.js';
import { runOnEvent, runWebhook, type OnEventType, type SyncResult } from '../../runtime/index.js';
import { routePush } from '../../runtime/push-routing.js';
import type { PushNotification } from '../../simulators/common/push.js';
import { CHANNEL_MAX_LIFETIME_MS, SEED_USER } from '../../simulators/calendar/index.js';
import { conn, expectInSync, live, MODEL, testBed, type Bed } from './support.js';

const PUSH_ADDRESS = 'https://api.nango.dev/webhook/00000000-0000-4000-8000-000000000000/google-calendar';

function metadata(bed: Bed): GoogleCalendarEventsMetadata {
    return bed.store.getMetadata<GoogleCalendarEventsMetadata>(conn)!;
}

/** Routes each message as Nango does (resource URI against the connection's metadata) and runs onWebhook for it. */
async function deliver(bed: Bed, notifications: readonly PushNotification[] = bed.sim.push.take()): Promise<SyncResult[]> {
    const results: SyncResult[] = [];
    for (const notification of notifications) {
        const connection = { ...conn, metadata: metadata(bed), syncs: [{ name: 'events', webhookSubscriptions: ['*'] }] };
        for (const route of routePush(notification, [connection])) {
            results.push(
                await runWebhook({
                    integration: route.integration,
                    name: route.syncName,
                    payload: route.payload,
                    store: bed.store,
                    clock: bed.clock
                })
            );
        }
    }
    for (const result of results) expect(result.status, result.error?.message).toBe('success');
    return results;
}

function onEvent(bed: Bed, event: OnEventType) {
    return runOnEvent({ integration: 'google-calendar', name: event, event, store: bed.store, clock: bed.clock });
}

/** Polled once with push on, every handshake delivered: the state a connection is in after its first run. */
async function connected(extra: Record<string, unknown> = {}): Promise<Bed> {
    const bed = testBed({}, { pushAddress: PUSH_ADDRESS, ...extra });
    expect((await onEvent(bed, 'post-connection-creation')).status).toBe('success');
    const first = await bed.sync();
    expect(first.status, first.error?.message).toBe('success');
    await deliver(bed);
    return bed;
}

function editPrimary(bed: Bed, index: number, summary: string): void {
    const calendar = bed.sim.calendar('primary');
    const event = calendar.events.filter((candidate) => candidate.status !== 'cancelled' && !candidate.recurringEventId)[index]!;
    event.summary = summary;
    bed.clock.advance(1000);
    bed.sim.store.touch(calendar, event);
}

function counts(results: SyncResult[]) {
    return results.map((result) => result.byModel[MODEL] ?? { added: 0, updated: 0, deleted: 0 });
}

describe('events sync onWebhook: Calendar push', () => {
    it('brings a change into the cache without a poll, and leaves the poll checkpoint as it was', async () => {
        const bed = await connected();
        const pollState = bed.store.getCheckpoint(conn, 'events');
        // The first change of a calendar lists its window (the webhook has no sync token of its own yet).
        editPrimary(bed, 0, 'Pushed edit 1');
        await deliver(bed);
        expectInSync(bed);
        const before = bed.sim.core.meter.get('events.list').calls;
        editPrimary(bed, 1, 'Pushed edit 2');
        const [second] = await deliver(bed);
        expect(counts([second!])).toEqual([{ added: 0, updated: 1, deleted: 0 }]);
        expect(bed.sim.core.meter.get('events.list').calls - before).toBe(1);
        expect(live(bed).some((record) => record['summary'] === 'Pushed edit 2')).toBe(true);
        expectInSync(bed);
        expect(bed.store.getCheckpoint(conn, 'events')).toEqual(pollState);
        expect(bed.store.getCheckpoint(conn, 'webhook:events')).not.toBeNull();

        // The next poll finds the pushed changes already cached and still ends in sync.
        const poll = await bed.sync();
        expect(poll.status).toBe('success');
        expectInSync(bed);
    });

    it("deletes what was cancelled before a calendar's first push: that first listing asks for cancelled events too", async () => {
        const bed = await connected();
        const calendar = bed.sim.calendar('primary');
        const doomed = calendar.events.find((event) => event.status !== 'cancelled' && !event.recurringEventId && !event.recurrence)!;
        bed.clock.advance(1000);
        bed.sim.store.cancel(calendar, doomed);
        await deliver(bed);
        expect(live(bed).some((record) => record['eventId'] === doomed.id)).toBe(false);
        expectInSync(bed);
    });

    it('answers the sync handshake without calling Google', async () => {
        const bed = testBed({}, { pushAddress: PUSH_ADDRESS });
        expect((await onEvent(bed, 'post-connection-creation')).status).toBe('success');
        const [handshake] = bed.sim.push.peek();
        expect(handshake?.headers['x-goog-resource-state']).toBe('sync');
        const before = bed.sim.core.meter.totals().calls;
        const [result] = await deliver(bed);
        expect(result!.calls).toBe(0);
        expect(bed.sim.core.meter.totals().calls).toBe(before);
        expect(result!.logs.some((entry) => /is open/.test(entry.message))).toBe(true);
    });

    it('changes nothing for a forged message: a wrong token or none', async () => {
        const bed = await connected();
        editPrimary(bed, 0, 'Not yet');
        const [real] = bed.sim.push.take();
        const { 'x-goog-channel-token': token, ...untokened } = real!.headers;
        expect(token).toBe(metadata(bed).googleCalendarChannelToken);
        const forgeries = [
            { ...real!, headers: { ...real!.headers, 'x-goog-channel-token': 'guessed-token-guessed-token-guessed' } },
            { ...real!, headers: untokened }
        ];
        const before = bed.sim.core.meter.totals().calls;
        const results = await deliver(bed, forgeries);
        expect(results).toHaveLength(2);
        expect(counts(results)).toEqual([
            { added: 0, updated: 0, deleted: 0 },
            { added: 0, updated: 0, deleted: 0 }
        ]);
        expect(bed.sim.core.meter.totals().calls).toBe(before);
        expect(results.every((result) => result.logs.some((entry) => entry.level === 'warn' && /ignored/.test(entry.message)))).toBe(true);
        expect(live(bed).some((record) => record['summary'] === 'Not yet')).toBe(false);
        expect(bed.store.getCheckpoint(conn, 'webhook:events')).toBeNull();
    });

    it('changes nothing more for a message delivered twice or out of order', async () => {
        const bed = await connected();
        editPrimary(bed, 0, 'First');
        await deliver(bed);
        editPrimary(bed, 1, 'Second');
        const second = bed.sim.push.take();
        editPrimary(bed, 2, 'Third');
        const third = bed.sim.push.take();
        // Third before second, then both again.
        const results = await deliver(bed, [...third, ...second, ...third, ...second]);
        expect(counts(results)).toEqual([
            { added: 0, updated: 2, deleted: 0 },
            { added: 0, updated: 0, deleted: 0 },
            { added: 0, updated: 0, deleted: 0 },
            { added: 0, updated: 0, deleted: 0 }
        ]);
        expectInSync(bed);
    });

    /** A poll whose first events.list answer is followed, before the poll applies it, by an edit of that event and its push. */
    async function pollRacedByPush(bed: Bed) {
        editPrimary(bed, 0, 'Before the poll');
        bed.sim.push.take();
        let pushed = false;
        const poll = await bed.sync({
            onHttpAnswer: async (_count, answer) => {
                if (pushed || !answer.url.includes('/events?')) return;
                pushed = true;
                editPrimary(bed, 0, 'During the poll');
                await deliver(bed);
            }
        });
        expect(poll.status, poll.error?.message).toBe('success');
        expect(pushed).toBe(true);
    }

    it('loses nothing when a push lands while a poll is reading its pages: the next poll ends in sync', async () => {
        const bed = await connected();
        await pollRacedByPush(bed);
        expect((await bed.sync()).status).toBe('success');
        expect(live(bed).find((record) => record['summary'] === 'During the poll')).toBeDefined();
        expectInSync(bed);
    });

    // Nango's records service keeps a record modified after the run's merging cursor (packages/records/lib/stores/
    // postgres/postgres.ts, ignore_if_modified_after_cursor), and so does the runtime (runtime/nango-sync.ts).
    it("never lets a poll's older copy overwrite what a push saved during the poll (ignore_if_modified_after)", async () => {
        const bed = await connected();
        await pollRacedByPush(bed);
        expect(live(bed).find((record) => record['summary'] === 'During the poll')).toBeDefined();
        expectInSync(bed);
    });

    it("never deletes by absence: a push listing cut and resumed keeps the poll's events outside its later window", async () => {
        const bed = await connected();
        const cached = live(bed).length;
        // The webhook's first listing of a calendar starts at now − backfillDays: 200 days later than the poll's did.
        bed.clock.advance(200 * 86_400_000);
        // The channel expired meanwhile: a poll opens a new one (and lists nothing new).
        expect((await bed.sync()).status).toBe('success');
        await deliver(bed);
        editPrimary(bed, 0, 'Much later');
        const message = bed.sim.push.take().filter((n) => n.headers['x-goog-resource-state'] === 'exists');
        const connection = { ...conn, metadata: metadata(bed), syncs: [{ name: 'events', webhookSubscriptions: ['*'] }] };
        const [route] = routePush(message[0]!, [connection]);
        const cut = await runWebhook({ ...route!, name: route!.syncName, store: bed.store, clock: bed.clock, stopAfterCheckpoints: 1 });
        expect(cut.status).toBe('interrupted');
        const resumed = await runWebhook({ ...route!, name: route!.syncName, store: bed.store, clock: bed.clock });
        expect(resumed.status, resumed.error?.message).toBe('success');
        expect(resumed.byModel[MODEL]?.deleted ?? 0).toBe(0);
        expect(live(bed).length).toBe(cached);
        expect(live(bed).some((record) => record['summary'] === 'Much later')).toBe(true);
    });

    it('after a 410 lists the calendar again without deleting, and the poll resyncs it', async () => {
        const bed = await connected();
        editPrimary(bed, 0, 'Baseline');
        await deliver(bed);
        bed.sim.invalidateSyncTokens('primary');
        editPrimary(bed, 1, 'After the 410');
        const [pushed] = await deliver(bed);
        expect(pushed!.logs.some((entry) => /no longer valid \(410\)/.test(entry.message))).toBe(true);
        expect(pushed!.byModel[MODEL]?.deleted ?? 0).toBe(0);
        expect(live(bed).some((record) => record['summary'] === 'After the 410')).toBe(true);
        expect((await bed.sync()).status).toBe('success');
        expectInSync(bed);
    });

    it('keeps taking messages of the renewed channel and of the old one until it stopped', async () => {
        const bed = await connected();
        bed.clock.advance(CHANNEL_MAX_LIFETIME_MS - 3_600_000);
        editPrimary(bed, 0, 'On the old channel');
        const old = bed.sim.push.take();
        expect((await bed.sync()).status).toBe('success');
        const renewed = bed.sim.push.take();
        expect(renewed.map((n) => n.headers['x-goog-resource-state'])).toEqual(['sync']);
        expect(renewed[0]!.headers['x-goog-channel-id']).not.toBe(old[0]!.headers['x-goog-channel-id']);
        await deliver(bed, [...renewed, ...old]);
        editPrimary(bed, 1, 'On the new channel');
        const fresh = bed.sim.push.take();
        expect(fresh.map((n) => n.headers['x-goog-channel-id'])).toEqual([renewed[0]!.headers['x-goog-channel-id']]);
        await deliver(bed, fresh);
        expectInSync(bed);
    });
});

describe('google-calendar on-event scripts', () => {
    it('post-connection-creation opens channels only when the metadata names a pushAddress', async () => {
        const bed = testBed({}, {});
        expect((await onEvent(bed, 'post-connection-creation')).status).toBe('success');
        expect(bed.sim.store.channels.active()).toEqual([]);
        bed.setMetadata({ pushAddress: PUSH_ADDRESS });
        expect((await onEvent(bed, 'post-connection-creation')).status).toBe('success');
        expect(bed.sim.store.channels.active().map((channel) => channel.calendarId)).toEqual([SEED_USER.email]);
        expect(metadata(bed).googleCalendarWatchResourceUris).toEqual([bed.sim.store.channels.active()[0]!.resourceUri]);
    });

    it('pre-connection-deletion stops every channel, succeeds for channels already gone, and twice', async () => {
        const bed = await connected({ allCalendars: true });
        const channels = metadata(bed).googleCalendarChannels!;
        expect(channels.length).toBeGreaterThan(1);
        // One already stopped elsewhere: Google answers 404 for it.
        await fetch('https://www.googleapis.com/calendar/v3/channels/stop', {
            method: 'POST',
            headers: { authorization: 'Bearer test-access-token', 'content-type': 'application/json' },
            body: JSON.stringify({ id: channels[0]!.id, resourceId: channels[0]!.resourceId })
        });
        const first = await onEvent(bed, 'pre-connection-deletion');
        expect(first.status).toBe('success');
        expect(first.logs.some((entry) => entry.message.includes(`Channel ${channels[0]!.id}`) && /already gone/.test(entry.message))).toBe(
            true
        );
        expect(first.logs.some((entry) => entry.message === `Stopped ${channels.length} of ${channels.length} push channel(s)`)).toBe(true);
        expect(bed.sim.store.channels.active()).toEqual([]);
        expect(metadata(bed).googleCalendarChannels).toEqual([]);
        expect(metadata(bed).googleCalendarWatchResourceUris).toEqual([]);
        expect((await onEvent(bed, 'pre-connection-deletion')).status).toBe('success');
    });

    it('pre-connection-deletion goes through when Google fails every stop', async () => {
        const bed = await connected();
        bed.sim.core.faults.inject('channels.stop', { kind: 'status', status: 500 }, 50);
        const result = await onEvent(bed, 'pre-connection-deletion');
        expect(result.status).toBe('success');
        expect(result.logs.some((entry) => entry.level === 'warn' && /Could not stop channel/.test(entry.message))).toBe(true);
    });

    it('validate-connection accepts a readable calendar list and refuses, naming the scope, when it is not', async () => {
        const bed = testBed();
        expect((await onEvent(bed, 'validate-connection')).status).toBe('success');
        bed.sim.core.faults.inject('calendarList.list', { kind: 'status', status: 403, reason: 'insufficientPermissions' }, 10);
        const refused = await onEvent(bed, 'validate-connection');
        expect(refused.status).toBe('failed');
        if (refused.status !== 'failed') return;
        expect(refused.error.message).toContain('https://www.googleapis.com/auth/calendar.readonly');
    });

    it('validate-connection refuses metadata the events sync would fail on, naming the field', async () => {
        const bed = testBed({}, { pushAddress: 'http://example.com/hook' });
        const refused = await onEvent(bed, 'validate-connection');
        expect(refused.status).toBe('failed');
        if (refused.status !== 'failed') return;
        expect(refused.error.message).toContain('pushAddress');
        expect(bed.sim.core.meter.totals().calls).toBe(0);
    });
});
