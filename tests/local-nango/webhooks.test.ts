/**
 * The local Nango API's sync webhooks, received by the backend's own receiver (backend/src/webhooks) on an ephemeral
 * loopback port: Nango's bodies, signed so the receiver accepts them, retried as Nango retries, and payload pruning
 * on the local clock.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Nango } from '@nangohq/node';
import { http as mswHttp, passthrough } from 'msw';
import { afterEach, describe, expect, it } from 'vitest';
import { createWebhookReceiver, nodeWebhookListener, type NangoWebhook } from '../../backend/src/index.js';
import { parseDuration } from '../../local-nango/clock.js';
import { startLocalNango, type LocalNango } from '../../local-nango/server.js';
import { syncWebhookBodies } from '../../local-nango/webhooks.js';
import { VirtualClock } from '../../runtime/clock.js';
import { RecordsStore } from '../../runtime/records-store.js';
import type { PeopleSimulator } from '../../simulators/people/index.js';
import { server } from '../support/msw.js';

const KEY = 'local-signing-key-0123456789abcdef';
const DAY = 24 * 60 * 60 * 1000;

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
    while (closers.length > 0) await closers.pop()!();
});

/** An HTTP server on 127.0.0.1:0 that the test's msw guard lets through. */
async function listen(listener: http.RequestListener): Promise<string> {
    const srv = http.createServer(listener);
    await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
    server.use(mswHttp.all(`${url}/*`, () => passthrough()));
    closers.push(() => new Promise((resolve) => srv.close(() => resolve())));
    return url;
}

/** The backend's receiver, keyed with `key`, recording what it accepted. */
async function receiver(key = KEY): Promise<{ url: string; received: NangoWebhook[]; idle: () => Promise<void> }> {
    const received: NangoWebhook[] = [];
    const r = createWebhookReceiver({ signingKey: key, onWebhook: async (webhook) => void received.push(webhook) });
    const url = await listen(nodeWebhookListener(r));
    return { url: `${url}/webhooks/nango`, received, idle: () => r.idle() };
}

async function localNango(
    webhookUrl: string,
    clock = new VirtualClock(Date.now())
): Promise<{ api: LocalNango; nango: Nango; clock: VirtualClock }> {
    const store = new RecordsStore(':memory:');
    const api = await startLocalNango({ store, clock, webhook: { url: webhookUrl, signingKey: KEY } });
    server.use(mswHttp.all(`${api.url}/*`, () => passthrough()));
    closers.push(async () => {
        await api.close();
        store.close();
    });
    return { api, nango: new Nango({ secretKey: api.secretKey, host: api.url }), clock };
}

async function syncContacts(api: LocalNango, nango: Nango): Promise<void> {
    await nango.triggerSync('google-mail', ['gmail-contacts'], 'local');
    await api.idle();
}

describe('sync webhooks', () => {
    it('posts a signed success webhook per changed model that the backend receiver accepts, in Nango’s shape', async () => {
        const hook = await receiver();
        const { api, nango, clock } = await localNango(hook.url);
        const startedAt = new Date(clock.now()).toISOString();
        await syncContacts(api, nango);
        await hook.idle();

        expect(hook.received).toHaveLength(1);
        const first = hook.received[0]!;
        expect(first).toMatchObject({
            from: 'nango',
            type: 'sync',
            connectionId: 'local',
            providerConfigKey: 'google-mail',
            syncName: 'gmail-contacts',
            syncVariant: 'base',
            model: 'GoogleContact',
            syncType: 'INITIAL',
            success: true,
            responseResults: { added: 150, updated: 0, deleted: 0 },
            modifiedAfter: startedAt,
            queryTimeStamp: startedAt
        });
        expect(first).toHaveProperty('checkpoints.from', null);
        expect((first as { checkpoints: { to: unknown } }).checkpoints.to).toEqual(expect.any(Object));

        // Nothing changed: no webhook (on_sync_completion_always is off by default).
        await syncContacts(api, nango);
        await hook.idle();
        expect(hook.received).toHaveLength(1);

        const people = api.registry.simulators(api.registry.integrations()[0]!, 'local', ['people']).get('people') as PeopleSimulator;
        people.applyActivity('edit-contacts');
        await syncContacts(api, nango);
        await hook.idle();
        expect(hook.received).toHaveLength(2);
        expect(hook.received[1]).toMatchObject({ syncType: 'INCREMENTAL', success: true, responseResults: { added: 0, deleted: 0 } });
        expect((hook.received[1] as { responseResults: { updated: number } }).responseResults.updated).toBeGreaterThan(0);
    });

    it('retries a 5xx twice, after 3 s then 6 s on the API’s clock, and stops at the first 2xx', async () => {
        const hook = await receiver();
        const answers = [503, 502];
        const url = await listen((req, res) => {
            const status = answers.shift();
            if (status !== undefined) {
                req.resume();
                res.writeHead(status).end();
                return;
            }
            // Third attempt: the real receiver, which must still find the signature good.
            nodeWebhookListener(createWebhookReceiver({ signingKey: KEY, onWebhook: async (w) => void hook.received.push(w) }))(req, res);
        });
        const { api, nango, clock } = await localNango(`${url}/hook`);
        const before = clock.now();
        await syncContacts(api, nango);
        expect(api.webhooks!.deliveries.map((d) => d.attempts)).toEqual([[503, 502, 200]]);
        expect(api.webhooks!.deliveries[0]!.delivered).toBe(true);
        expect(clock.now() - before).toBeGreaterThanOrEqual(9_000);
        expect(hook.received).toHaveLength(1);
    });

    it('does not retry a 4xx: a receiver with another signing key refuses it once (401)', async () => {
        const hook = await receiver('another-key');
        const { api, nango } = await localNango(hook.url);
        await syncContacts(api, nango);
        expect(api.webhooks!.deliveries.map((d) => [d.attempts, d.delivered])).toEqual([[[401], false]]);
        expect(hook.received).toEqual([]);
    });

    it('retries a refused connection three times in all, then gives up', async () => {
        // A port that was just free: nothing listens there now.
        const url = await listen((_req, res) => res.end());
        await closers.pop()!();
        const dead = url;
        const { api, nango } = await localNango(`${dead}/hook`);
        await syncContacts(api, nango);
        expect(api.webhooks!.deliveries[0]).toMatchObject({ attempts: ['ECONNREFUSED', 'ECONNREFUSED', 'ECONNREFUSED'], delivered: false });
    });

    it('a sync that fails sends a failure webhook the receiver accepts', async () => {
        const hook = await receiver();
        const { api, nango } = await localNango(hook.url);
        await syncContacts(api, nango);
        const people = api.registry.simulators(api.registry.integrations()[0]!, 'local', ['people']).get('people') as PeopleSimulator;
        people.core.faults.inject('people.connections.list', { kind: 'status', status: 401 }, 10);
        await syncContacts(api, nango);
        await hook.idle();
        expect(hook.received).toHaveLength(2);
        const failure = hook.received[1]!;
        expect(failure).toMatchObject({
            type: 'sync',
            model: 'GoogleContact',
            syncType: 'INCREMENTAL',
            success: false,
            error: { type: 'script_error', description: expect.any(String) }
        });
        const { startedAt, failedAt } = failure as { startedAt: string; failedAt: string };
        expect(startedAt <= failedAt).toBe(true);
    });

    it('a failed run sends one failure webhook for all its models, with script_error, startedAt and failedAt', () => {
        const bodies = syncWebhookBodies({
            connectionId: 'c1',
            providerConfigKey: 'google-mail',
            syncName: 'gmail-threads',
            models: ['GmailThread', 'GmailMessage'],
            full: false,
            startedAt: new Date('2026-12-01T08:00:00Z'),
            lastSyncDate: new Date('2026-12-01T07:00:00Z'),
            endedAt: new Date('2026-12-01T08:00:05Z'),
            byModel: {},
            error: { message: 'Gmail answered 401', payload: { status: 401 } },
            checkpoints: null
        });
        expect(bodies).toEqual([
            {
                from: 'nango',
                type: 'sync',
                connectionId: 'c1',
                providerConfigKey: 'google-mail',
                syncName: 'gmail-threads',
                syncVariant: 'base',
                model: 'GmailThread,GmailMessage',
                syncType: 'INCREMENTAL',
                success: false,
                error: { type: 'script_error', description: 'Gmail answered 401', payload: { status: 401 } },
                startedAt: '2026-12-01T07:00:00.000Z',
                failedAt: '2026-12-01T08:00:05.000Z'
            }
        ]);
    });
});

describe('payload pruning on the local clock', () => {
    it('a record unchanged for 30 days comes back as id and _nango_metadata with pruned_at; its cursor is kept', async () => {
        const hook = await receiver();
        const { api, nango } = await localNango(hook.url);
        await syncContacts(api, nango);
        const read = () => nango.listRecords({ providerConfigKey: 'google-mail', connectionId: 'local', model: 'GoogleContact', limit: 3 });
        const fresh = await read();
        expect(fresh.records[0]!._nango_metadata.pruned_at).toBeNull();
        expect(Object.keys(fresh.records[0]!).length).toBeGreaterThan(2);

        api.clock.advance(29 * DAY);
        expect((await read()).records[0]!._nango_metadata.pruned_at).toBeNull();

        // The local-only admin route moves the clock the rest of the way.
        const moved = await fetch(`${api.url}/_local/clock`, {
            method: 'POST',
            headers: { authorization: `Bearer ${api.secretKey}`, 'content-type': 'application/json' },
            body: JSON.stringify({ advance: '2d' })
        });
        expect(moved.status).toBe(200);
        const old = await read();
        const record = old.records[0]!;
        const meta = fresh.records[0]!._nango_metadata;
        expect(record).toEqual({
            id: fresh.records[0]!.id,
            _nango_metadata: { ...meta, pruned_at: new Date(new Date(meta.last_modified_at).getTime() + 30 * DAY).toISOString() }
        });
        expect(old.next_cursor).toBe(fresh.next_cursor);
    });

    it('the clock route refuses what it cannot read, and needs the secret key like every route', async () => {
        const hook = await receiver();
        const { api } = await localNango(hook.url);
        const post = (body: unknown, auth = true) =>
            fetch(`${api.url}/_local/clock`, {
                method: 'POST',
                headers: { ...(auth ? { authorization: `Bearer ${api.secretKey}` } : {}), 'content-type': 'application/json' },
                body: JSON.stringify(body)
            });
        expect((await post({ advance: 'soon' })).status).toBe(400);
        expect((await post({ advance: '40d' }, false)).status).toBe(401);
        expect(api.clock.offset).toBe(0);
    });
});

describe('durations of the local clock', () => {
    it('reads d, h, m, s and ms, and refuses anything else', () => {
        expect(parseDuration('40d')).toBe(40 * DAY);
        expect(parseDuration('12h')).toBe(12 * 3_600_000);
        expect(parseDuration('1500')).toBe(1500);
        expect(() => parseDuration('-1d')).toThrow(/not a duration/);
        expect(() => parseDuration('3 weeks')).toThrow(/not a duration/);
    });
});
