import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { RecordsStore, runSync, VirtualClock, type RunSyncOptions } from '../../runtime/index.js';
import { server } from '../support/msw.js';
import { FIXTURES_DIR, GMAIL, items, pagedItems } from './support/fixtures.js';

const conn = { integration: 'google-mail', connectionId: 'local' };

function setup(metadata: Record<string, unknown> = {}) {
    const store = new RecordsStore();
    store.setMetadata(conn, { retries: 0, full: false, ...metadata });
    const clock = new VirtualClock();
    const run = (extra: Partial<RunSyncOptions> = {}) =>
        runSync({ integration: 'google-mail', name: 'pages', store, clock, integrationsDir: FIXTURES_DIR, ...extra });
    return { store, clock, run };
}

describe('runSync', () => {
    it('saves every page, counts added/updated/unchanged, and clears the checkpoint at the end', async () => {
        const { store, run } = setup();
        server.use(pagedItems([items(0, 3), items(3, 6), items(6, 7)]));
        const first = await run();
        expect(first).toMatchObject({
            status: 'success',
            byModel: { Item: { added: 7, updated: 0, deleted: 0 } },
            calls: 3,
            checkpoints: 2,
            records: 7
        });
        expect(store.liveRecords(conn, 'Item')).toEqual(items(0, 7));
        expect(store.getCheckpoint(conn, 'pages')).toBeNull();

        server.resetHandlers(pagedItems([items(0, 3), [...items(3, 5), { id: 'item-5', n: 5, label: 'changed' }], items(6, 7)]));
        const second = await run();
        expect(second.byModel).toEqual({ Item: { added: 0, updated: 1, deleted: 0 } });
    });

    it('stops right after the Nth checkpoint and resumes from it on the next run', async () => {
        const { store, run } = setup();
        const tokens: string[] = [];
        server.use(pagedItems([items(0, 2), items(2, 4), items(4, 6), items(6, 8)], tokens));

        const cut = await run({ stopAfterCheckpoints: 2 });
        expect(cut.status).toBe('interrupted');
        expect(cut.error).toBeUndefined();
        expect(store.getCheckpoint(conn, 'pages')).toEqual({ pageToken: 'p2' });
        expect(store.liveRecords(conn, 'Item')).toEqual(items(0, 4));

        const resumed = await run();
        expect(resumed.status).toBe('success');
        expect(tokens).toEqual(['', 'p1', 'p2', 'p3']);
        expect(store.liveRecords(conn, 'Item')).toEqual(items(0, 8));
        expect(resumed.byModel['Item']).toEqual({ added: 4, updated: 0, deleted: 0 });
    });

    it('fails the run naming model, record id and field when a record does not match its model', async () => {
        const { store, run } = setup({ extra: { id: 'bad-1', n: 'seven', label: null } });
        server.use(pagedItems([items(0, 2)]));
        const result = await run();
        expect(result.status).toBe('failed');
        expect(result.error).toMatchObject({ type: 'invalid_sync_record', payload: { model: 'Item', id: 'bad-1' } });
        expect(result.error?.message).toMatch(/Item record "bad-1".*n must be number/);
        expect(store.liveRecords(conn, 'Item')).toEqual([]);
    });

    it('refuses a key the model does not declare, as the JSON schema Nango validates with does', async () => {
        const { run } = setup({ extra: { id: 'x', n: 1, label: null, surprise: true } });
        server.use(pagedItems([items(0, 1)]));
        const result = await run();
        expect(result.error?.message).toMatch(/surprise is not in the model/);
    });

    it('marks records the full crawl did not see as deleted', async () => {
        const { store, run } = setup({ full: true });
        server.use(pagedItems([items(0, 3), items(3, 5)]));
        await run();
        server.resetHandlers(pagedItems([items(0, 2), items(4, 5)]));
        const second = await run();
        expect(second.byModel['Item']).toEqual({ added: 0, updated: 0, deleted: 2 });
        expect(store.liveRecords(conn, 'Item').map((r) => r['id'])).toEqual(['item-0', 'item-1', 'item-4']);
    });

    it('does not delete anything when the full crawl fails midway (the error propagates)', async () => {
        const { store, run } = setup({ full: true });
        server.use(pagedItems([items(0, 3), items(3, 5)]));
        await run();
        server.resetHandlers(
            http.get(`${GMAIL}/items`, ({ request }) =>
                new URL(request.url).searchParams.get('pageToken')
                    ? HttpResponse.json({ error: { code: 500, message: 'Backend Error' } }, { status: 500 })
                    : HttpResponse.json({ items: items(0, 3), nextPageToken: 'p1' })
            )
        );
        const failed = await run();
        expect(failed.status).toBe('failed');
        expect(failed.error).toMatchObject({ type: 'script_http_error', status: 500 });
        expect(failed.error?.message).toMatch(/Request failed with status code 500.*Backend Error/);
        expect(store.countLive(conn, 'Item')).toBe(5);
    });

    it('retries with the clock, reports calls and progress, and keeps the token out of logs', async () => {
        const { clock, run } = setup({ retries: 2, retryHeader: 'retry-after' });
        let calls = 0;
        server.use(
            http.get(`${GMAIL}/items`, ({ request }) => {
                calls += 1;
                if (calls === 1) return HttpResponse.json({ error: { code: 429 } }, { status: 429, headers: { 'Retry-After': '30' } });
                const token = request.headers.get('authorization')!.replace('Bearer ', '');
                return HttpResponse.json({ items: [{ id: token, n: 1, label: null }] });
            })
        );
        const progress: number[] = [];
        const start = clock.now();
        const result = await run({ accessToken: 'tok-SECRET', onProgress: (p) => progress.push(p.calls) });
        expect(result.status).toBe('success');
        expect(result.calls).toBe(2);
        expect(result.elapsedMs).toBe(30_000);
        expect(clock.now() - start).toBe(30_000);
        expect(progress).toContain(2);
        expect(result.logs.some((l) => /Retrying HTTP call/.test(l.message))).toBe(true);
        expect(JSON.stringify(result.logs)).not.toContain('tok-SECRET');
    });

    it('fails with a load error for a script that does not exist', async () => {
        const { store } = setup();
        const result = await runSync({
            integration: 'google-mail',
            name: 'nope',
            store,
            integrationsDir: FIXTURES_DIR,
            clock: new VirtualClock()
        });
        expect(result.status).toBe('failed');
        expect(result.error?.type).toBe('script_load_error');
    });
});

describe('runSync: the SDK beyond HTTP', () => {
    it("pages with Nango's own paginate over the provider defaults, retrying Calendar's 403", async () => {
        const store = new RecordsStore();
        const calendarConn = { integration: 'google-calendar', connectionId: 'local' };
        store.setMetadata(calendarConn, { retries: 1 });
        const calendars = ['primary', 'work', 'team', 'holidays', 'birthdays'].map((id) => ({ id, summary: id.toUpperCase() }));
        const seen: string[] = [];
        let forbidden = true;
        server.use(
            http.get('https://www.googleapis.com/calendar/v3/users/me/calendarList', ({ request }) => {
                const params = new URL(request.url).searchParams;
                seen.push(`${params.get('pageToken') ?? '-'}/${params.get('maxResults')}`);
                if (forbidden) {
                    forbidden = false;
                    return HttpResponse.json({ error: { code: 403, message: 'Rate Limit Exceeded' } }, { status: 403 });
                }
                const start = Number(params.get('pageToken') ?? 0);
                const size = Number(params.get('maxResults'));
                const next = start + size < calendars.length ? { nextPageToken: String(start + size) } : {};
                return HttpResponse.json({ items: calendars.slice(start, start + size), ...next });
            })
        );
        const result = await runSync({
            integration: 'google-calendar',
            name: 'calendars',
            store,
            clock: new VirtualClock(),
            integrationsDir: FIXTURES_DIR
        });
        expect(result).toMatchObject({ status: 'success', calls: 4, byModel: { Item: { added: 5, updated: 0, deleted: 0 } } });
        expect(seen).toEqual(['-/2', '-/2', '2/2', '4/2']);
        expect(store.liveRecords(calendarConn, 'Item').map((r) => r['label'])).toEqual([
            'PRIMARY',
            'WORK',
            'TEAM',
            'HOLIDAYS',
            'BIRTHDAYS'
        ]);
    });

    it('updates, deletes, reads records, metadata and the connection through the cache', async () => {
        const store = new RecordsStore();
        store.setMetadata(conn, { runs: 4 });
        const result = await runSync({
            integration: 'google-mail',
            name: 'ops',
            store,
            clock: new VirtualClock(),
            integrationsDir: FIXTURES_DIR,
            connectionConfig: { instance_url: 'https://x.example' }
        });
        expect(result.status).toBe('success');
        expect(result.byModel['OpsItem']).toEqual({ added: 3, updated: 1, deleted: 1 });
        expect(store.liveRecords(conn, 'OpsItem')).toEqual([
            { id: 'a', n: 1, label: 'a' },
            { id: 'b', n: 2, label: 'B' }
        ]);
        expect(store.getMetadata(conn)).toEqual({ runs: 5 });
        const messages = result.logs.map((l) => `${l.level} ${l.message}`);
        expect(messages).toEqual(
            expect.arrayContaining([
                'info found {"ids":["a","c"]}',
                'info listed 3',
                'debug connection local google-mail OAUTH2',
                'info instance https://x.example'
            ])
        );
    });

    it('ends a cut run as interrupted even when the script swallows the cut, and writes nothing after it', async () => {
        const store = new RecordsStore();
        store.setMetadata(conn, { swallowCut: true });
        const result = await runSync({
            integration: 'google-mail',
            name: 'ops',
            store,
            clock: new VirtualClock(),
            integrationsDir: FIXTURES_DIR,
            stopAfterCheckpoints: 1
        });
        expect(result.status).toBe('interrupted');
        expect(store.getCheckpoint(conn, 'ops')).toEqual({ step: 1 });
        expect(store.getRecordsByIds(conn, 'OpsItem', ['after-cut']).size).toBe(0);
    });
});
