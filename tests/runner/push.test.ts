import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { hashEmailAddress, RecordsStore, VirtualClock } from '../../runtime/index.js';
import { PushOutbox, type PushNotification } from '../../simulators/common/push.js';
import { connect, deliver, disconnect, isConnected } from '../../runner/push.js';
import { server } from '../support/msw.js';
import { FIXTURES_DIR, GMAIL } from '../runtime/support/fixtures.js';

const INTEGRATION = 'google-mail';

/** The fixture integration's on-event scripts call the profile and stop endpoints; Nango's own hook reads the profile too. */
function provider(emailAddress = 'ada@example.com') {
    const calls: string[] = [];
    server.use(
        http.get(`${GMAIL}/profile`, () => {
            calls.push('profile');
            return HttpResponse.json({ emailAddress, historyId: '100' });
        }),
        http.post(`${GMAIL}/stop`, () => {
            calls.push('stop');
            return new HttpResponse(null, { status: 204 });
        })
    );
    return calls;
}

function setup(connectionId = 'local') {
    const store = new RecordsStore();
    const clock = new VirtualClock();
    let text = '';
    const out = { write: (chunk: string) => (text += chunk) };
    const target = { accessToken: 'test-access-token', connectionConfig: {}, clock };
    const base = { store, integration: INTEGRATION, connectionId, target, out, integrationsDir: FIXTURES_DIR };
    return { store, clock, base, output: () => text, conn: { integration: INTEGRATION, connectionId } };
}

function gmailPush(emailAddress: string, changes: Record<string, unknown>): PushNotification {
    const data = Buffer.from(JSON.stringify({ emailAddress, historyId: '101', ...changes })).toString('base64');
    return {
        provider: 'gmail',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ message: { data }, subscription: 's' }),
        emittedAt: 0
    };
}

describe('connect', () => {
    it('runs validate-connection, stores the hash Nango’s provider hook stores, then post-connection-creation', async () => {
        const calls = provider();
        const { store, base, conn, output } = setup();
        const outcome = await connect({ ...base, metadata: {} });
        expect(outcome).toEqual({ ok: true, created: true });
        expect(isConnected(store, INTEGRATION, 'local')).toBe(true);
        expect(store.getConnectionConfig(conn)).toEqual({ emailAddressHash: hashEmailAddress('ada@example.com') });
        expect(store.getMetadata(conn)).toEqual({ emailAddress: 'ada@example.com' });
        // validate-connection, the provider hook, post-connection-creation.
        expect(calls).toEqual(['profile', 'profile', 'profile']);
        expect(output()).toMatch(/validate-connection validate-connection: success/);
        expect(output()).toMatch(/google-mail\/local: connected/);
    });

    it('refuses the connection when validate-connection throws: nothing stored, the reason given', async () => {
        const calls = provider();
        const { store, base, conn, output } = setup();
        const outcome = await connect({ ...base, metadata: { refuse: 'the gmail.readonly scope was not granted' } });
        expect(outcome).toEqual({ ok: false, reason: 'the gmail.readonly scope was not granted' });
        expect(store.getMetadata(conn)).toBeNull();
        expect(store.getConnectionConfig(conn)).toBeNull();
        expect(store.listConnections()).toEqual([]);
        expect(isConnected(store, INTEGRATION, 'local')).toBe(false);
        expect(calls).toEqual([]);
        expect(output()).toMatch(/connection refused by validate-connection: the gmail.readonly scope was not granted/);
    });

    it('on a reconnection runs validate-connection only', async () => {
        const calls = provider();
        const { base } = setup();
        await connect({ ...base, metadata: {} });
        calls.length = 0;
        const again = await connect(base);
        expect(again).toEqual({ ok: true, created: false });
        expect(calls).toEqual(['profile']);
    });
});

describe('disconnect', () => {
    it('runs pre-connection-deletion, then removes the records and state of the connection only', async () => {
        const calls = provider();
        const { store, base, conn } = setup();
        await connect({ ...base, metadata: {} });
        store.saveRecords(conn, 'PushedItem', [{ id: 'a', n: 1, label: null }]);
        const other = { integration: INTEGRATION, connectionId: 'other' };
        store.setMetadata(other, { keep: true });
        calls.length = 0;

        await disconnect(base);
        expect(calls).toEqual(['stop']);
        expect(store.liveRecords(conn, 'PushedItem')).toEqual([]);
        expect(store.getMetadata(conn)).toBeNull();
        expect(store.getCheckpoint(conn, 'on-event:pre-connection-deletion')).toBeNull();
        expect(isConnected(store, INTEGRATION, 'local')).toBe(false);
        expect(store.getMetadata(other)).toEqual({ keep: true });
    });

    it('deletes the connection even when pre-connection-deletion fails', async () => {
        provider();
        const { store, base, conn, output } = setup();
        await connect({ ...base, metadata: {} });
        server.use(http.post(`${GMAIL}/stop`, () => HttpResponse.json({ error: { code: 404, message: 'Not Found' } }, { status: 404 })));
        const result = await disconnect(base);
        expect(result.warning).toBeDefined();
        expect(store.getMetadata(conn)).toBeNull();
        expect(output()).toMatch(/pre-connection-deletion failed \(the connection is deleted anyway/);
    });
});

describe('deliver', () => {
    it('routes each queued push, runs onWebhook and prints what it changed; a push for nobody routes nowhere', async () => {
        provider();
        const { store, base, conn, output } = setup();
        await connect({ ...base, metadata: {} });
        const outbox = new PushOutbox();
        outbox.emit(
            gmailPush('ada@example.com', {
                items: [
                    { id: 'a', n: 1, label: null },
                    { id: 'b', n: 2, label: null }
                ]
            })
        );
        outbox.emit(gmailPush('carol@example.com', { items: [{ id: 'c', n: 3, label: null }] }));
        outbox.emit(gmailPush('ADA@example.com', { items: [{ id: 'a', n: 10, label: null }], deleteIds: ['b'] }));

        const lines = await deliver({ ...base, notifications: outbox.take() });
        expect(lines.map((l) => l.outcome)).toEqual(['delivered', 'no connection', 'delivered']);
        expect(lines[0]?.runs).toEqual([
            { connectionId: 'local', syncName: 'pushed', status: 'success', byModel: { PushedItem: { added: 2, updated: 0, deleted: 0 } } }
        ]);
        expect(lines[2]?.runs[0]?.byModel).toEqual({ PushedItem: { added: 0, updated: 1, deleted: 1 } });
        expect(store.liveRecords(conn, 'PushedItem')).toEqual([{ id: 'a', n: 10, label: null }]);
        expect(output()).toMatch(/gmail push 1 \(historyId 101\): google-mail\/local pushed: PushedItem \+2 ~0 -0/);
        expect(output()).toMatch(/gmail push 2 \(historyId 101\): no connection/);
    });

    it('says "ignored" when the connection matches but no sync subscribes, and routes only among its connection id', async () => {
        provider();
        const { store, base } = setup();
        await connect({ ...base, metadata: {} });
        const calendar: PushNotification = {
            provider: 'calendar',
            headers: {
                'x-goog-resource-uri': 'https://www.googleapis.com/calendar/v3/calendars/ada%40example.com/events',
                'x-goog-resource-state': 'exists'
            },
            body: '',
            emittedAt: 0
        };
        store.setMetadata({ integration: 'google-calendar', connectionId: 'local' }, { emailAddress: 'ada@example.com' });
        const [ignored] = await deliver({ ...base, notifications: [calendar] });
        expect(ignored?.outcome).toBe('ignored');

        const [elsewhere] = await deliver({ ...base, connectionId: 'rehearsal', notifications: [gmailPush('ada@example.com', {})] });
        expect(elsewhere?.outcome).toBe('no connection');
    });
});
