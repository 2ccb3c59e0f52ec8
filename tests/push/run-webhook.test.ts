import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { RecordsStore, runSync, runWebhook, VirtualClock } from '../../runtime/index.js';
import { server } from '../support/msw.js';
import { FIXTURES_DIR, GMAIL } from '../runtime/support/fixtures.js';

const conn = { integration: 'google-mail', connectionId: 'local' };

function setup(metadata: Record<string, unknown> = {}) {
    const store = new RecordsStore();
    store.setMetadata(conn, metadata);
    const clock = new VirtualClock();
    const common = { integration: 'google-mail', store, clock, integrationsDir: FIXTURES_DIR };
    return {
        store,
        clock,
        push: (payload: unknown, name = 'pushed') => runWebhook({ ...common, name, payload }),
        poll: () => runSync({ ...common, name: 'pushed' })
    };
}

const item = (id: string, n: number) => ({ id, n, label: null });

describe('runWebhook', () => {
    it("runs the sync's onWebhook with the payload and counts what it changed per model", async () => {
        const { store, push } = setup();
        const first = await push({ items: [item('a', 1), item('b', 2)] });
        expect(first).toMatchObject({ status: 'success', byModel: { PushedItem: { added: 2, updated: 0, deleted: 0 } }, records: 2 });

        const second = await push({ items: [item('a', 10)], deleteIds: ['b'] });
        expect(second.byModel).toEqual({ PushedItem: { added: 0, updated: 1, deleted: 1 } });
        expect(store.liveRecords(conn, 'PushedItem')).toEqual([item('a', 10)]);
    });

    it('hands the script a JSON copy of the payload, as the orchestrator stores it', async () => {
        const { store, push } = setup();
        const payload = { items: [{ ...item('a', 1), extra: undefined }] };
        const result = await push(payload);
        expect(result.status).toBe('success');
        expect(store.liveRecords(conn, 'PushedItem')).toEqual([item('a', 1)]);
        // A payload of another shape reaches the script, which decides to ignore it.
        const other = await push({ unexpected: true });
        expect(other.status).toBe('success');
        expect(other.byModel).toEqual({ PushedItem: { added: 0, updated: 0, deleted: 0 } });
        expect(other.logs.map((l) => l.message).join('\n')).toMatch(/ignored a payload of another shape/);
    });

    it("keeps the webhook's checkpoint apart from the sync's (Nango's keys are webhook:<sync> and sync:<sync>)", async () => {
        const { store, push, poll } = setup();
        await push({ items: [item('a', 1)] });
        await push({ items: [item('a', 2)] });
        expect(store.getCheckpoint(conn, 'webhook:pushed')).toEqual({ handled: 2 });
        expect(store.getCheckpoint(conn, 'pushed')).toBeNull();
        const polled = await poll();
        expect(polled.status).toBe('success');
        // The poll read no checkpoint: the webhook's is not its own.
        expect(store.liveRecords(conn, 'PushedItem')).toContainEqual({ id: 'poll', n: -1, label: 'poll' });
    });

    it('refuses a sync without onWebhook and a script that is not a sync, in the runner’s words', async () => {
        const { push } = setup();
        const noWebhook = await push({}, 'pages');
        expect(noWebhook.status).toBe('failed');
        expect(noWebhook.error).toMatchObject({ type: 'script_internal_error', message: 'Missing onWebhook function' });
    });

    it('expires a webhook function that runs past the 1-hour limit: nothing it does after reaches the store', async () => {
        const { store, push } = setup({ webhookDelayMs: 60 * 60 * 1000 + 1 });
        const result = await push({ items: [item('late', 1)] });
        expect(result.status).toBe('failed');
        expect(result.error?.type).toBe('task_expired_error');
        expect(result.error?.message).toMatch(/60 min/);
        expect(store.liveRecords(conn, 'PushedItem')).toEqual([]);
    });

    it('lets a webhook function finish just inside the limit', async () => {
        const { store, push } = setup({ webhookDelayMs: 60 * 60 * 1000 });
        const result = await push({ items: [item('in-time', 1)] });
        expect(result.status).toBe('success');
        expect(store.liveRecords(conn, 'PushedItem')).toEqual([item('in-time', 1)]);
    });
});

describe('locks between a poll and a webhook function', () => {
    it("share the store's lock table: a webhook during the poll is refused the poll's lock, and gets it once the poll ended", async () => {
        const { store, push, clock } = setup({ lockKey: 'mailbox:local' });
        server.use(http.get(`${GMAIL}/profile`, () => HttpResponse.json({ emailAddress: 'ada@example.com', historyId: '1' })));
        const label = (id: string) => store.liveRecords(conn, 'PushedItem').find((r) => r['id'] === id)?.['label'];
        const poll = await runSync({
            integration: 'google-mail',
            name: 'pushed',
            store,
            clock,
            integrationsDir: FIXTURES_DIR,
            onHttpAnswer: async () => {
                await push({});
            }
        });
        expect(poll.status).toBe('success');
        expect(label('poll-lock')).toBe('true');
        expect(label('webhook-lock')).toBe('false');
        // The poll's locks went with it.
        await push({});
        expect(label('webhook-lock')).toBe('true');
    });
});
