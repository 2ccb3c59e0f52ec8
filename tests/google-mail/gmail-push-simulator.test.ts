import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../runtime/clock.js';
import { routePushRequest, webhookUrl } from '../../runtime/index.js';
import { DEFAULT_PUBSUB, GmailSimulator, WATCH_LIFETIME_MS } from '../../simulators/gmail/index.js';
import { server } from '../support/msw.js';

const BASE = 'https://gmail.googleapis.com/gmail/v1/users/me';
const TOPIC = DEFAULT_PUBSUB.topics[0]!;

function setup(): { sim: GmailSimulator; clock: VirtualClock } {
    const clock = new VirtualClock();
    const sim = new GmailSimulator({ clock, seed: 3, threads: 20 });
    server.use(...sim.handlers);
    return { sim, clock };
}

async function post(path: string, body?: unknown): Promise<Response> {
    return fetch(`${BASE}${path}`, {
        method: 'POST',
        headers: { authorization: 'Bearer test-access-token', 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) })
    });
}

async function watch(body: unknown): Promise<{ historyId: string; expiration: string }> {
    const response = await post('/watch', body);
    if (response.status !== 200) throw new Error(`watch: ${response.status} ${await response.text()}`);
    return (await response.json()) as { historyId: string; expiration: string };
}

async function refusal(response: Response): Promise<{ status: number; message: string; reason: string }> {
    const body = (await response.json()) as { error: { message: string; errors: { reason: string }[] } };
    return { status: response.status, message: body.error.message, reason: body.error.errors[0]!.reason };
}

function decoded(body: string): { envelope: Record<string, unknown>; data: { emailAddress: string; historyId: number } } {
    const envelope = JSON.parse(body) as { message: { data: string } };
    return {
        envelope,
        data: JSON.parse(Buffer.from(envelope.message.data, 'base64').toString('utf8')) as { emailAddress: string; historyId: number }
    };
}

describe('Gmail simulator: users.watch and users.stop', () => {
    it('answers the current history id and an expiration 7 days ahead on its clock, for 100 quota units', async () => {
        const { sim, clock } = setup();
        const answer = await watch({ topicName: TOPIC });
        expect(answer).toEqual({ historyId: String(sim.historyId), expiration: String(clock.now() + WATCH_LIFETIME_MS) });
        expect(sim.core.meter.get('watch')).toEqual({ calls: 1, units: 100, limited: 0 });
    });

    it('refuses a topic name that is not projects/<project>/topics/<topic> of its own project, and a missing one', async () => {
        setup();
        for (const topicName of ['gmail-push', 'projects/nango-local/gmail-push', 'projects/other-project/topics/gmail-push']) {
            expect(await refusal(await post('/watch', { topicName }))).toEqual({
                status: 400,
                reason: 'invalidArgument',
                message: 'Invalid topicName does not match projects/nango-local/topics/*'
            });
        }
        expect(await refusal(await post('/watch', { labelIds: ['INBOX'] }))).toMatchObject({ status: 400, message: 'topicName required' });
    });

    it('refuses a topic that does not grant publish to Gmail, an unknown field, label or filter behaviour', async () => {
        setup();
        expect(await refusal(await post('/watch', { topicName: 'projects/nango-local/topics/not-granted' }))).toMatchObject({
            status: 403,
            reason: 'forbidden'
        });
        expect((await post('/watch', { topicName: TOPIC, labelFilter: 'INBOX' })).status).toBe(400);
        expect((await post('/watch', { topicName: TOPIC, labelIds: ['NOT_A_LABEL'] })).status).toBe(400);
        expect((await post('/watch', { topicName: TOPIC, labelIds: ['INBOX'], labelFilterBehavior: 'ONLY' })).status).toBe(400);
    });

    it('emits one Pub/Sub push per activity, shaped as a wrapped push delivery, with the mailbox and its new history id', async () => {
        const { sim, clock } = setup();
        await watch({ topicName: TOPIC });
        expect(sim.push.peek()).toHaveLength(0);
        const before = sim.historyId;
        sim.applyActivity('new-mail');
        const pushes = sim.push.take();
        // The activity writes six history records at one instant: Gmail notifies at most once a second.
        expect(pushes).toHaveLength(1);
        const push = pushes[0]!;
        expect(push).toMatchObject({ provider: 'gmail', headers: { 'content-type': 'application/json' }, emittedAt: clock.now() });
        const { envelope, data } = decoded(push.body);
        expect(data.emailAddress).toBe(sim.emailAddress);
        expect(data.historyId).toBeGreaterThan(before);
        expect(data.historyId).toBeLessThanOrEqual(sim.historyId);
        const message = envelope['message'] as Record<string, string>;
        expect(Object.keys(message).sort()).toEqual(['data', 'messageId', 'message_id', 'publishTime', 'publish_time']);
        expect(message['messageId']).toBe(message['message_id']);
        expect(message['publishTime']).toBe(new Date(clock.now()).toISOString());
        expect(message['publish_time']).toBe(message['publishTime']);
        expect(envelope['subscription']).toBe(DEFAULT_PUBSUB.subscription);

        await clock.sleep(1000);
        sim.applyActivity('label-changes');
        const next = sim.push.take();
        expect(next).toHaveLength(1);
        expect(JSON.parse(next[0]!.body).message.messageId).not.toBe(message['messageId']);
    });

    it('emits nothing without a watch, after stop (which is idempotent), or once the watch has expired', async () => {
        const { sim, clock } = setup();
        sim.applyActivity('new-mail');
        expect(sim.push.take()).toHaveLength(0);

        await watch({ topicName: TOPIC });
        expect((await post('/stop')).status).toBe(204);
        expect((await post('/stop')).status).toBe(204);
        sim.applyActivity('new-mail');
        expect(sim.push.take()).toHaveLength(0);

        await watch({ topicName: TOPIC });
        await clock.sleep(WATCH_LIFETIME_MS);
        sim.applyActivity('new-mail');
        expect(sim.push.take()).toHaveLength(0);
        expect(sim.mailbox.watch.active).toBeNull();
    });

    it('a renewal replaces the watch and moves its expiration', async () => {
        const { sim, clock } = setup();
        await watch({ topicName: TOPIC });
        await clock.sleep(WATCH_LIFETIME_MS - 60_000);
        const renewed = await watch({ topicName: TOPIC });
        expect(Number(renewed.expiration)).toBe(clock.now() + WATCH_LIFETIME_MS);
        await clock.sleep(120_000);
        sim.applyActivity('new-mail');
        expect(sim.push.take()).toHaveLength(1);
    });

    it('filters by label: include notifies changes touching a label, exclude those touching none', async () => {
        const { sim, clock } = setup();
        await watch({ topicName: TOPIC, labelIds: ['Label_5'], labelFilterBehavior: 'include' });
        const thread = sim.addThread({ labelIds: ['INBOX'] });
        expect(sim.push.take()).toHaveLength(0);
        await clock.sleep(1000);
        sim.modifyLabels(thread.messages[0]!.id, ['Label_5'], []);
        expect(sim.push.take()).toHaveLength(1);

        await watch({ topicName: TOPIC, labelIds: ['SPAM'], labelFilterAction: 'exclude' });
        await clock.sleep(1000);
        sim.addThread({ labelIds: ['SPAM'] });
        expect(sim.push.take()).toHaveLength(0);
        await clock.sleep(1000);
        sim.addThread({ labelIds: ['INBOX'] });
        expect(sim.push.take()).toHaveLength(1);
    });

    it('signs its pushes when the subscription has authentication, as Nango checks them', async () => {
        const clock = new VirtualClock();
        const audience = webhookUrl('google-mail');
        const sim = new GmailSimulator({ clock, seed: 3, threads: 5, pubsub: { ...DEFAULT_PUBSUB, authentication: { audience } } });
        server.use(...sim.handlers);
        await watch({ topicName: TOPIC });
        sim.applyActivity('new-mail');
        const [push] = sim.push.take();
        expect(push?.headers['authorization']).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
        const connection = {
            integration: 'google-mail',
            connectionId: 'local',
            metadata: { emailAddress: sim.emailAddress },
            syncs: [{ name: 'gmail-threads', webhookSubscriptions: ['*'] }]
        };
        expect(routePushRequest(push!, [connection], { now: clock.now() })).toMatchObject({ status: 200, connectionIds: ['local'] });
        // Without authentication the subscription sends no such header.
        const { sim: plain } = setup();
        await watch({ topicName: TOPIC });
        plain.applyActivity('new-mail');
        expect(plain.push.take()[0]?.headers['authorization']).toBeUndefined();
    });

    it('keeps the watch in its snapshot', async () => {
        const { sim, clock } = setup();
        await watch({ topicName: TOPIC });
        const restored = GmailSimulator.restore(sim.snapshot(), { clock });
        expect(restored.mailbox.watch.active).toEqual(sim.mailbox.watch.active);
        restored.applyActivity('trash');
        expect(restored.push.take()).toHaveLength(1);
        // Pushes not yet taken survive a snapshot too: the runner delivers them in a later invocation.
        await clock.sleep(1000);
        sim.applyActivity('new-mail');
        const queued = sim.push.peek();
        expect(queued).toHaveLength(1);
        expect(GmailSimulator.restore(sim.snapshot(), { clock }).push.take()).toEqual(queued);
    });
});
