import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { RecordsStore, runAction, runSync, VirtualClock, type RunSyncOptions } from '../../runtime/index.js';
import { server } from '../support/msw.js';
import { FIXTURES_DIR, GMAIL, items, pagedItems } from './support/fixtures.js';

const conn = { integration: 'google-mail', connectionId: 'local' };

function setup(metadata: Record<string, unknown> = {}) {
    const store = new RecordsStore();
    store.setMetadata(conn, { retries: 0, full: false, ...metadata });
    const run = (extra: Partial<RunSyncOptions> = {}) =>
        runSync({ integration: 'google-mail', name: 'pages', store, clock: new VirtualClock(), integrationsDir: FIXTURES_DIR, ...extra });
    return { store, run };
}

const FOUR_PAGES = [items(0, 2), items(2, 4), items(4, 6), items(6, 8)];

describe('runSync: a cut after an HTTP answer (stopAfterHttpAnswers)', () => {
    it('ends interrupted with the answered page unsaved and the previous checkpoint kept, then resumes from it', async () => {
        const { store, run } = setup();
        const tokens: string[] = [];
        server.use(pagedItems(FOUR_PAGES, tokens));

        const cut = await run({ stopAfterHttpAnswers: 2 });
        expect(cut).toMatchObject({ status: 'interrupted', httpAnswers: 2, calls: 2, checkpoints: 1, saves: 1 });
        expect(cut.error).toBeUndefined();
        expect(tokens).toEqual(['', 'p1']);
        expect(store.liveRecords(conn, 'Item')).toEqual(items(0, 2));
        expect(store.getCheckpoint(conn, 'pages')).toEqual({ pageToken: 'p1' });

        const resumed = await run();
        expect(resumed.status).toBe('success');
        expect(tokens).toEqual(['', 'p1', 'p1', 'p2', 'p3']);
        expect(store.liveRecords(conn, 'Item')).toEqual(items(0, 8));
    });

    it('counts every answer, retries included, and cuts before a retry is sent', async () => {
        const { store, run } = setup({ retries: 3 });
        let calls = 0;
        server.use(
            http.get(`${GMAIL}/items`, () => {
                calls += 1;
                return HttpResponse.json({ error: { code: 503, message: 'Backend Error' } }, { status: 503 });
            })
        );
        const cut = await run({ stopAfterHttpAnswers: 2 });
        expect(cut).toMatchObject({ status: 'interrupted', httpAnswers: 2, saves: 0 });
        expect(calls).toBe(2);
        expect(store.liveRecords(conn, 'Item')).toEqual([]);
    });

    it('does not count a network error as an answer', async () => {
        const { run } = setup({ retries: 1 });
        let calls = 0;
        server.use(
            http.get(`${GMAIL}/items`, () => {
                calls += 1;
                return calls === 1 ? HttpResponse.error() : HttpResponse.json({ items: items(0, 1) });
            })
        );
        const result = await run({ stopAfterHttpAnswers: 2 });
        expect(result).toMatchObject({ status: 'success', calls: 2, httpAnswers: 1 });
    });

    it('lets nothing reach the store or the provider after the cut, even when the script catches it', async () => {
        const store = new RecordsStore();
        store.saveRecords(conn, 'SwallowItem', [{ id: 'before', n: 0, label: null }], { now: 0 });
        let calls = 0;
        server.use(
            http.get(`${GMAIL}/items`, () => {
                calls += 1;
                return HttpResponse.json({ items: [] });
            })
        );
        const result = await runSync({
            integration: 'google-mail',
            name: 'swallow',
            store,
            clock: new VirtualClock(),
            integrationsDir: FIXTURES_DIR,
            stopAfterHttpAnswers: 1
        });
        expect(result.status).toBe('interrupted');
        expect(calls).toBe(1);
        expect(store.liveRecords(conn, 'SwallowItem')).toEqual([{ id: 'before', n: 0, label: null }]);
        expect(store.getCheckpoint(conn, 'swallow')).toBeNull();
        expect(store.getMetadata(conn)).toBeNull();
    });
});

describe('runSync: a cut stops requests still under way', () => {
    it('sends no retry of a concurrent request once the run is cut', async () => {
        let flakyCalls = 0;
        let releaseFlaky = () => {};
        const itemsAnswered = new Promise<void>((resolve) => (releaseFlaky = resolve));
        server.use(
            http.get(`${GMAIL}/items`, () => HttpResponse.json({ items: [] })),
            http.get(`${GMAIL}/flaky`, async () => {
                flakyCalls += 1;
                // The first attempt fails only once the other request's answer has cut the run.
                await itemsAnswered;
                return HttpResponse.error();
            })
        );
        const result = await runSync({
            integration: 'google-mail',
            name: 'parallel',
            store: new RecordsStore(),
            clock: new VirtualClock(),
            integrationsDir: FIXTURES_DIR,
            stopAfterHttpAnswers: 1,
            onHttpAnswer: () => releaseFlaky()
        });
        expect(result.status).toBe('interrupted');
        expect(flakyCalls).toBe(1);
    });
});

describe('runSync: a cut after a save (stopAfterSaves)', () => {
    it('keeps the saved page but not the checkpoint that would have followed it', async () => {
        const { store, run } = setup();
        const tokens: string[] = [];
        server.use(pagedItems(FOUR_PAGES, tokens));
        const cut = await run({ stopAfterSaves: 2 });
        expect(cut).toMatchObject({ status: 'interrupted', saves: 2, checkpoints: 1, records: 4 });
        expect(store.liveRecords(conn, 'Item')).toEqual(items(0, 4));
        expect(store.getCheckpoint(conn, 'pages')).toEqual({ pageToken: 'p1' });

        // The next run starts again from p1: page 2 is saved twice, unchanged the second time.
        const resumed = await run();
        expect(resumed).toMatchObject({ status: 'success', byModel: { Item: { added: 4, updated: 0, deleted: 0 } } });
        expect(tokens).toEqual(['', 'p1', 'p1', 'p2', 'p3']);
    });

    it('counts batchUpdate and batchDelete as saves, and writes no later metadata', async () => {
        const store = new RecordsStore();
        store.setMetadata(conn, { runs: 4 });
        const run = (stopAfterSaves: number) =>
            runSync({
                integration: 'google-mail',
                name: 'ops',
                store,
                clock: new VirtualClock(),
                integrationsDir: FIXTURES_DIR,
                stopAfterSaves
            });
        const afterUpdate = await run(2);
        expect(afterUpdate).toMatchObject({ status: 'interrupted', saves: 2 });
        expect(store.liveRecords(conn, 'OpsItem').map((r) => r['label'])).toEqual(expect.arrayContaining(['a', 'B', 'c']));
        expect(store.countLive(conn, 'OpsItem')).toBe(3);
        expect(store.getMetadata(conn)).toEqual({ runs: 4 });

        const afterDelete = await run(3);
        expect(afterDelete).toMatchObject({ status: 'interrupted', saves: 3 });
        expect(store.liveRecords(conn, 'OpsItem').map((r) => r['id'])).toEqual(expect.arrayContaining(['a', 'b']));
        expect(store.countLive(conn, 'OpsItem')).toBe(2);
        expect(store.getMetadata(conn)).toEqual({ runs: 4 });
    });

    it('does not count an empty batchSave, which stores nothing', async () => {
        const { run } = setup();
        server.use(pagedItems([[], items(0, 1)]));
        const result = await run({ stopAfterSaves: 1 });
        expect(result).toMatchObject({ status: 'interrupted', saves: 1, checkpoints: 1, records: 1 });
    });
});

describe('runSync: provider activity during a run (onHttpAnswer)', () => {
    it('is awaited after each answer, before the script sees it, with the count and the request', async () => {
        const { store, run } = setup();
        server.use(pagedItems([items(0, 2), items(2, 4)]));
        const heard: string[] = [];
        const result = await run({
            onHttpAnswer: async (count, request) => {
                heard.push(`${count} ${request.method} ${new URL(request.url).search} ${request.status}`);
                await Promise.resolve();
                // The provider changes page 2 while the script is between pages.
                if (count === 1) server.use(pagedItems([items(0, 2), items(2, 4, 'changed')]));
            }
        });
        expect(result.status).toBe('success');
        expect(heard).toEqual(['1 GET  200', '2 GET ?pageToken=p1 200']);
        expect(store.liveRecords(conn, 'Item').map((r) => r['label'])).toEqual([null, null, 'changed', 'changed']);
    });

    it('hears error answers and retries too', async () => {
        const { run } = setup({ retries: 1 });
        let calls = 0;
        server.use(
            http.get(`${GMAIL}/items`, () => {
                calls += 1;
                return calls === 1 ? HttpResponse.json({}, { status: 500 }) : HttpResponse.json({ items: [] });
            })
        );
        const statuses: number[] = [];
        await run({ onHttpAnswer: (_count, request) => void statuses.push(request.status) });
        expect(statuses).toEqual([500, 200]);
    });
});

describe('runAction: a cut after the provider answered (stopAfterHttpAnswers)', () => {
    it('applies the write and fails the caller as an expired task', async () => {
        const received: unknown[] = [];
        server.use(
            http.post(`${GMAIL}/echo`, async ({ request }) => {
                received.push(await request.json());
                return HttpResponse.json({ text: 'hi' }, { status: 201 });
            })
        );
        const res = await runAction({
            integration: 'google-mail',
            name: 'echo',
            input: { text: 'hi' },
            store: new RecordsStore(),
            clock: new VirtualClock(),
            integrationsDir: FIXTURES_DIR,
            stopAfterHttpAnswers: 1
        });
        expect(received).toEqual([{ text: 'hi' }]);
        expect(res).toMatchObject({
            status: 'failed',
            calls: 1,
            error: { error_type: 'action_script_failure', payload: { payload: { reason: 'heartbeatTimeoutSecs_exceeded' } } }
        });
    });
});
