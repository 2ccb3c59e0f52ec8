import { describe, expect, it } from 'vitest';
import { readPush } from '../../nango-integrations/google-mail/push.js';
import { routePush, runOnEvent, runWebhook, type SyncResult } from '../../runtime/index.js';
import type { PushNotification } from '../../simulators/common/push.js';
import { DEFAULT_PUBSUB, WATCH_LIFETIME_MS } from '../../simulators/gmail/index.js';
import { conn, mailWorld, recordRequests, threadGets, type MailWorld } from './harness.js';

const TOPIC = DEFAULT_PUBSUB.topics[0]!;
const DAY = 86_400_000;

function envelope(data: unknown, raw = false): unknown {
    const text = raw ? String(data) : JSON.stringify(data);
    return { message: { data: Buffer.from(text, 'utf8').toString('base64'), messageId: '1' }, subscription: 's', type: '*' };
}

describe('reading a Gmail push as Nango hands it to onWebhook', () => {
    it("decodes message.data, with the history id as Gmail's number or as a string", () => {
        expect(readPush(envelope({ emailAddress: 'a@example.com', historyId: 1234567 }))).toEqual({
            ok: true,
            push: { emailAddress: 'a@example.com', historyId: '1234567' }
        });
        expect(readPush(envelope({ emailAddress: 'a@example.com', historyId: '99' }))).toMatchObject({
            ok: true,
            push: { historyId: '99' }
        });
    });

    it('refuses a body without message.data, data that is not base64 JSON, or JSON without the two fields', () => {
        expect(readPush({ subscription: 's' })).toMatchObject({ ok: false });
        expect(readPush(envelope('not json', true))).toMatchObject({ ok: false, problem: 'message.data is not base64 of JSON' });
        expect(readPush(envelope({ emailAddress: 'a@example.com' }))).toMatchObject({ ok: false });
        expect(readPush(envelope({ emailAddress: 'a@example.com', historyId: -1 }))).toMatchObject({ ok: false });
    });
});

describe('gmail-threads renews the Gmail watch', () => {
    it('starts a watch on the first run when metadata names a topic, and records it', async () => {
        const world = mailWorld({ threads: 10 });
        world.store.setMetadata(conn, { pushTopic: TOPIC });
        const historyAtStart = String(world.sim.historyId);
        const startedAt = new Date(world.clock.now()).toISOString();
        expect((await world.sync()).status).toBe('success');
        const active = world.sim.mailbox.watch.active;
        expect(active?.topicName).toBe(TOPIC);
        expect(world.store.getMetadata(conn)).toEqual({
            pushTopic: TOPIC,
            pushWatchHistoryId: historyAtStart,
            pushWatchRenewedAt: startedAt,
            pushWatchExpiresAt: new Date(active!.expiration).toISOString()
        });
    });

    it('renews a watch a day old without moving where pushes start, and leaves a fresher one alone', async () => {
        const world = mailWorld({ threads: 10 });
        world.store.setMetadata(conn, { pushTopic: TOPIC });
        await world.sync();
        const first = world.store.getMetadata(conn)!;
        world.sim.applyActivity('new-mail');

        await world.clock.sleep(DAY - 60_000);
        const requests = recordRequests();
        await world.sync();
        requests.stop();
        expect(requests.urls.filter((url) => url.pathname.endsWith('/watch'))).toHaveLength(0);

        await world.clock.sleep(60_000);
        const renewedAt = world.clock.now();
        await world.sync();
        const renewed = world.store.getMetadata(conn)!;
        expect(renewed['pushWatchHistoryId']).toBe(first['pushWatchHistoryId']);
        expect(Date.parse(String(renewed['pushWatchExpiresAt']))).toBe(renewedAt + WATCH_LIFETIME_MS);
        expect(world.sim.mailbox.watch.active?.expiration).toBe(renewedAt + WATCH_LIFETIME_MS);
    });

    it('starts anew after the watch expired: pushes then start from the history id of the new watch', async () => {
        const world = mailWorld({ threads: 10 });
        world.store.setMetadata(conn, { pushTopic: TOPIC });
        await world.sync();
        await world.clock.sleep(WATCH_LIFETIME_MS);
        expect(world.sim.mailbox.watch.active).toBeNull();
        world.sim.applyActivity('new-mail');
        const historyNow = String(world.sim.historyId);
        expect((await world.sync()).status).toBe('success');
        expect(world.sim.mailbox.watch.active).not.toBeNull();
        expect(world.store.getMetadata(conn)!['pushWatchHistoryId']).toBe(historyNow);
    });

    it('stops the watch once pushTopic is removed, once, and starts one again when it comes back', async () => {
        const world = mailWorld({ threads: 10 });
        world.store.setMetadata(conn, { pushTopic: TOPIC });
        await world.sync();
        expect(world.sim.mailbox.watch.active).not.toBeNull();
        const { pushTopic: _off, ...rest } = world.store.getMetadata(conn)!;
        world.store.setMetadata(conn, rest);
        expect((await world.sync()).status).toBe('success');
        expect(world.sim.mailbox.watch.active).toBeNull();

        const requests = recordRequests();
        await world.sync();
        requests.stop();
        expect(requests.urls.filter((url) => url.pathname.endsWith('/stop'))).toHaveLength(0);

        world.store.setMetadata(conn, { ...world.store.getMetadata(conn)!, pushTopic: TOPIC });
        await world.sync();
        expect(world.sim.mailbox.watch.active?.topicName).toBe(TOPIC);
    });

    it('keeps polling when Gmail refuses the watch, logging why', async () => {
        const world = mailWorld({ threads: 10 });
        world.store.setMetadata(conn, { pushTopic: 'projects/nango-local/topics/not-granted' });
        const result = await world.sync();
        expect(result.status).toBe('success');
        expect(world.verdict().ok).toBe(true);
        expect(result.logs.some((log) => log.level === 'error' && /Could not renew the Gmail watch.*HTTP 403/.test(log.message))).toBe(
            true
        );
        expect(world.store.getMetadata(conn)).toEqual({ pushTopic: 'projects/nango-local/topics/not-granted' });
    });
});

// ---- push delivered to onWebhook -------------------------------------------------------------------------------

interface PushWorld extends MailWorld {
    /** Routes each notification as Nango does and runs gmail-threads' onWebhook for it, in the order given. */
    deliver: (notifications: readonly PushNotification[]) => Promise<SyncResult[]>;
    webhook: (payload: unknown) => Promise<SyncResult>;
}

/** Connected as Nango connects (post-connection-creation: emailAddress, watch), synced once, push queue empty. */
async function pushWorld(): Promise<PushWorld> {
    const world = mailWorld({ threads: 30 });
    world.store.setMetadata(conn, { pushTopic: TOPIC });
    const created = await runOnEvent({
        integration: 'google-mail',
        name: 'post-connection-creation',
        event: 'post-connection-creation',
        store: world.store,
        clock: world.clock
    });
    expect(created.status).toBe('success');
    expect((await world.sync()).status).toBe('success');
    expect(world.verdict().ok).toBe(true);
    world.sim.push.take();
    const webhook = (payload: unknown) =>
        runWebhook({ integration: 'google-mail', name: 'gmail-threads', store: world.store, clock: world.clock, payload });
    const deliver = async (notifications: readonly PushNotification[]) => {
        const results: SyncResult[] = [];
        for (const notification of notifications) {
            const connection = {
                ...conn,
                metadata: world.store.getMetadata(conn),
                syncs: [{ name: 'gmail-threads', webhookSubscriptions: ['*'] }]
            };
            for (const route of routePush(notification, [connection], { now: world.clock.now() }))
                results.push(await webhook(route.payload));
        }
        return results;
    };
    return { ...world, deliver, webhook };
}

function pushedHistoryId(notification: PushNotification): string {
    const push = readPush(JSON.parse(notification.body));
    if (!push.ok) throw new Error(push.problem);
    return push.push.historyId;
}

const webhookCheckpoint = (world: MailWorld) => world.store.getCheckpoint(conn, 'webhook:gmail-threads');
const pollCheckpoint = (world: MailWorld) => world.store.getCheckpoint(conn, 'gmail-threads');
const historyIdOf = (checkpoint: Record<string, unknown> | null) => BigInt(String(checkpoint?.['historyId'] ?? 0));

describe('gmail-threads onWebhook', () => {
    it('applies a push: the new mail is cached before any poll, and the poll then finds nothing more to save', async () => {
        const world = await pushWorld();
        const pollBefore = pollCheckpoint(world);
        world.sim.applyActivity('new-mail');
        expect(world.verdict().ok).toBe(false);
        const [result, ...more] = await world.deliver(world.sim.push.take());
        expect(more).toHaveLength(0);
        expect(result).toMatchObject({ status: 'success', byModel: { GmailThread: { added: 3, updated: 3, deleted: 0 } } });
        expect(world.verdict().ok).toBe(true);
        expect(historyIdOf(webhookCheckpoint(world))).toBe(BigInt(world.sim.historyId));
        // The webhook leaves the poll's checkpoint where it was; the poll replays the same changes and changes nothing.
        expect(pollCheckpoint(world)).toEqual(pollBefore);
        const poll = await world.sync();
        expect(poll.byModel['GmailThread']).toMatchObject({ added: 0, deleted: 0 });
        expect(world.verdict().ok).toBe(true);
    });

    it('applies deletions and trashed threads pushed to it', async () => {
        const world = await pushWorld();
        world.sim.applyActivity('delete-messages');
        await world.clock.sleep(1000);
        world.sim.applyActivity('trash');
        const results = await world.deliver(world.sim.push.take());
        expect(results).toHaveLength(2);
        expect(results[0]?.byModel['GmailThread']?.deleted).toBeGreaterThan(0);
        expect(world.verdict().ok).toBe(true);
    });

    it('changes nothing more for a push delivered twice: no Gmail call, no write', async () => {
        const world = await pushWorld();
        world.sim.applyActivity('label-changes');
        const [push] = world.sim.push.take();
        await world.deliver([push!]);
        const requests = recordRequests();
        const again = await world.deliver([push!]);
        requests.stop();
        expect(again[0]).toMatchObject({ status: 'success', calls: 0, byModel: { GmailThread: { added: 0, updated: 0, deleted: 0 } } });
        expect(requests.urls).toEqual([]);
        expect(
            again[0]!.logs.some((log) => /Ignored a push at history id \d+: changes up to \d+ are already applied/.test(log.message))
        ).toBe(true);
        expect(world.verdict().ok).toBe(true);
    });

    it('ignores an older push delivered after a newer one (Pub/Sub does not keep order)', async () => {
        const world = await pushWorld();
        world.sim.applyActivity('new-mail');
        await world.clock.sleep(1000);
        world.sim.applyActivity('label-changes');
        const [older, newer] = world.sim.push.take();
        expect(BigInt(pushedHistoryId(older!))).toBeLessThan(BigInt(pushedHistoryId(newer!)));
        const [first, late] = await world.deliver([newer!, older!]);
        expect(first?.byModel['GmailThread']?.added).toBe(3);
        expect(world.verdict().ok).toBe(true);
        const handled = webhookCheckpoint(world);
        expect(late).toMatchObject({ status: 'success', calls: 0, byModel: { GmailThread: { added: 0, updated: 0, deleted: 0 } } });
        expect(webhookCheckpoint(world)).toEqual(handled);
    });

    it('ignores, and logs, a push for another mailbox', async () => {
        const world = await pushWorld();
        world.sim.applyActivity('new-mail');
        const [push] = world.sim.push.take();
        const body = JSON.parse(push!.body) as { message: { data: string } };
        const data = JSON.parse(Buffer.from(body.message.data, 'base64').toString('utf8')) as Record<string, unknown>;
        body.message.data = Buffer.from(JSON.stringify({ ...data, emailAddress: 'someone.else@example.com' })).toString('base64');
        // Routed here anyway (say the other mailbox's hash was copied onto this connection): the script checks itself.
        const result = await world.webhook({ ...body, type: '*', emailAddress: 'someone.else@example.com' });
        expect(result).toMatchObject({ status: 'success', calls: 0, byModel: { GmailThread: { added: 0, updated: 0, deleted: 0 } } });
        expect(
            result.logs.some(
                (log) => log.level === 'warn' && /Ignored a push for someone\.else@example\.com: this connection is/.test(log.message)
            )
        ).toBe(true);
        expect(webhookCheckpoint(world)).toBeNull();
        // The real push for this mailbox still applies afterwards.
        await world.deliver([push!]);
        expect(world.verdict().ok).toBe(true);
    });

    it('loses nothing when a push lands in the middle of a poll that fetched the thread before the change', async () => {
        const world = await pushWorld();
        world.sim.applyActivity('new-mail');
        world.sim.push.take();
        const pollBefore = historyIdOf(pollCheckpoint(world));
        let raced: string | undefined;
        let changeHistoryId = 0n;
        const poll = await world.sync({
            // After the poll's first threads.get answer, before it saves: the thread changes and its push is handled.
            onHttpAnswer: async (_count, request) => {
                const id = threadGets([new URL(request.url)])[0];
                if (raced !== undefined || id === undefined) return;
                raced = id;
                await world.clock.sleep(1000);
                world.sim.reply(id);
                changeHistoryId = BigInt(world.sim.historyId);
                const [pushed] = await world.deliver(world.sim.push.take());
                expect(pushed?.status).toBe('success');
            }
        });
        expect(poll.status).toBe('success');
        expect(raced).toBeDefined();
        // The race happened: the poll saved its older copy over the push's (override, its default).
        expect(world.verdict().stale).toContain(raced);
        // The push ran to the change; the poll's checkpoint moved forward, but not past the change it did not see.
        expect(historyIdOf(webhookCheckpoint(world))).toBeGreaterThanOrEqual(changeHistoryId);
        const pollAfter = historyIdOf(pollCheckpoint(world));
        expect(pollAfter).toBeGreaterThan(pollBefore);
        expect(pollAfter).toBeLessThan(changeHistoryId);
        // So the next poll fetches the thread again, whatever the overlapping writes left in the cache.
        expect((await world.sync()).status).toBe('success');
        expect(world.verdict().ok).toBe(true);
        expect(historyIdOf(pollCheckpoint(world))).toBeGreaterThanOrEqual(changeHistoryId);
    });

    it('lets the first backfill remove what a push cached before it and the mailbox dropped since (chaos seed 2297920013)', async () => {
        // Connected with push on, no poll yet: a push caches the threads that changed.
        const world = mailWorld({ threads: 12 });
        world.store.setMetadata(conn, { pushTopic: TOPIC });
        await runOnEvent({
            integration: 'google-mail',
            name: 'post-connection-creation',
            event: 'post-connection-creation',
            store: world.store,
            clock: world.clock
        });
        world.sim.applyActivity('label-changes');
        const [push] = world.sim.push.take();
        const applied = await runWebhook({
            integration: 'google-mail',
            name: 'gmail-threads',
            store: world.store,
            clock: world.clock,
            payload: routePush(push!, [
                { ...conn, metadata: world.store.getMetadata(conn), syncs: [{ name: 'gmail-threads', webhookSubscriptions: ['*'] }] }
            ])[0]!.payload
        });
        const cached = world.store.liveRecords(conn, 'GmailThread').map((record) => String(record['id']));
        expect(applied.status).toBe('success');
        expect(cached.length).toBeGreaterThan(0);
        // Those threads go to the trash and the pushes telling so are lost; then the first poll runs.
        await world.clock.sleep(1000);
        for (const id of cached) world.sim.trashThread(id);
        world.sim.push.take();
        expect((await world.sync()).status).toBe('success');
        expect(world.verdict().ok).toBe(true);
    });

    it('leaves to the poll the changes of a push whose start id Gmail no longer keeps (404), and follows later pushes', async () => {
        const world = await pushWorld();
        world.sim.applyActivity('new-mail');
        const [stale] = world.sim.push.take();
        world.sim.expireHistory();
        const [result] = await world.deliver([stale!]);
        expect(result?.status).toBe('success');
        expect(result?.logs.some((log) => /has expired \(404\)/.test(log.message))).toBe(true);
        await world.clock.sleep(1000);
        world.sim.applyActivity('label-changes');
        await world.deliver(world.sim.push.take());
        // The poll resyncs what the expired push could not apply.
        expect((await world.sync()).status).toBe('success');
        expect(world.verdict().ok).toBe(true);
    });
});
