import { describe, expect, it } from 'vitest';
import { readPush } from '../../nango-integrations/google-mail/push.js';
import { DEFAULT_PUBSUB, WATCH_LIFETIME_MS } from '../../simulators/gmail/index.js';
import { conn, mailWorld, recordRequests } from './harness.js';

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
