import { describe, expect, it } from 'vitest';
import { runEpisode } from '../../chaos/episode.js';
import { subjectOf, type ChaosSubject } from '../../chaos/subjects.js';
import { createWorld } from '../../chaos/world.js';
import { PushOutbox, type PushNotification } from '../../simulators/common/push.js';
import { server } from '../support/msw.js';
import { FIXTURES_DIR } from '../runtime/support/fixtures.js';

/** The runtime's fixture sync with an onWebhook, over a seeded Gmail simulator. */
const PUSHED: ChaosSubject = {
    name: 'pushed+push',
    sync: { integration: 'google-mail', name: 'pushed', models: [{ model: 'PushedItem', simulator: 'gmail' }] },
    simulator: 'gmail',
    size: { min: 5, max: 5 },
    push: { metadata: {} }
};

function gmailPush(emailAddress: string, changes: Record<string, unknown>): PushNotification {
    const data = Buffer.from(JSON.stringify({ emailAddress, historyId: '9', ...changes })).toString('base64');
    return {
        provider: 'gmail',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ message: { data } }),
        emittedAt: 0
    };
}

describe('chaos push deliveries', () => {
    it('connects with the on-event scripts, then delivers what the simulator queued through routing and onWebhook', async () => {
        const world = createWorld(PUSHED, { seed: 7, size: 5, network: server, integrationsDir: FIXTURES_DIR });
        const connected = await world.connect({});
        expect(connected.outcome).toEqual({ ok: true, created: true });
        const address = world.store.getMetadata<{ emailAddress: string }>(world.conn)?.emailAddress;
        expect(address).toMatch(/@/);

        expect(world.pushQueued()).toBe(0);
        const outbox = new PushOutbox();
        (world.sim as unknown as { push: PushOutbox }).push = outbox;
        outbox.emit(gmailPush(address!, { items: [{ id: 'a', n: 1, label: null }] }));
        outbox.emit(gmailPush('someone-else@example.com', { items: [{ id: 'b', n: 2, label: null }] }));
        expect(world.pushQueued()).toBe(2);

        const lines = await world.deliver((queued) => [...queued].reverse());
        expect(lines).toEqual([
            'gmail push 1 (historyId 9): no connection',
            'gmail push 2 (historyId 9): google-mail/chaos pushed: PushedItem +1 ~0 -0'
        ]);
        expect(world.pushQueued()).toBe(0);
        expect(world.store.liveRecords(world.conn, 'PushedItem')).toEqual([{ id: 'a', n: 1, label: null }]);
    });

    it('is a no-op for a simulator without an outbox: a poll-only episode has no push step', async () => {
        const episode = await runEpisode(subjectOf('salesforce-leads'), 12345, { network: server });
        expect(episode.log.filter((line) => /deliver|push|connect:/.test(line))).toEqual([]);
        expect(episode.divergences).toEqual([]);
    });
});
