/**
 * The mirror against the stand-in of Nango's records API: whatever order, number and lateness of webhooks, wherever
 * it crashes, and across a full resync that emptied Nango's cache, it ends equal to Nango's cache and notifies each
 * change once; a hook that keeps failing is retried with backoff, then parked, and the mirror goes on.
 */
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
    createWebhookReceiver,
    Mirror,
    MirrorCrash,
    NangoService,
    PostgresMirrorStore,
    postgresPool,
    SqliteMirrorStore,
    type MirrorStore,
    type CrashPoint,
    type MirrorOptions,
    type RecordChange
} from '../../backend/src/index.js';
import { server } from '../support/msw.js';
import { NANGO_HOST, NangoStandIn } from './support/nango-api.js';

const SECRET = '6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b';
const SIGNING_KEY = 'whsk_mirror';
const SF = 'salesforce-prod';
const CONN = 'acme';
const MODEL = 'SalesforceLead';

function lead(id: string, status = 'Open') {
    return {
        id,
        firstName: null,
        lastName: `Lead ${id}`,
        company: 'Acme',
        title: null,
        email: null,
        phone: null,
        status,
        leadSource: null,
        ownerId: null,
        isConverted: false,
        convertedAccountId: null,
        convertedContactId: null,
        convertedOpportunityId: null,
        createdDate: null,
        lastModifiedDate: null,
        systemModstamp: '2026-11-30T10:00:00.000Z'
    };
}

const tmpDirs: string[] = [];
afterEach(() => {
    for (const dir of tmpDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function dbFile(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mirror-'));
    tmpDirs.push(dir);
    return path.join(dir, 'product.db');
}

function world() {
    const nango = new NangoStandIn({ secretKey: SECRET, integrations: { [SF]: 'salesforce' } });
    nango.addConnection(SF, CONN);
    server.use(...nango.handlers);
    const service = new NangoService({ secretKey: SECRET, host: NANGO_HOST, integrationKeys: { salesforce: SF } });
    const clock = { t: 1_000_000, now: () => clock.t };
    const scheduled: number[] = [];
    /** Every notification any mirror of this world delivered, across "processes". */
    const notified: RecordChange[] = [];
    const mirror = (store: MirrorStore, extra: Partial<MirrorOptions> = {}) => {
        const m = new Mirror({ nango: service, store, pageSize: 2, clock, schedule: (delay) => scheduled.push(delay), ...extra });
        m.onRecord('audit', (change) => {
            notified.push(change);
        });
        return m;
    };
    const live = () => nango.live(SF, CONN, MODEL);
    return { nango, service, clock, scheduled, notified, mirror, live };
}

function webhook(syncType: 'INITIAL' | 'INCREMENTAL', added: number) {
    return {
        from: 'nango',
        type: 'sync',
        connectionId: CONN,
        providerConfigKey: SF,
        syncName: 'salesforce-leads',
        syncVariant: 'base',
        model: MODEL,
        syncType,
        success: true,
        modifiedAfter: '2026-12-01T07:00:00.000Z',
        responseResults: { added, updated: 0 },
        queryTimeStamp: null
    };
}

function signed(body: unknown): [string, Record<string, string>] {
    const raw = JSON.stringify(body);
    return [raw, { 'x-nango-hmac-sha256': createHmac('sha256', SIGNING_KEY).update(raw).digest('hex') }];
}

const summary = (changes: RecordChange[]) => changes.map((c) => `${c.recordId} ${c.action}`).sort();

/** A database the mirror can be reopened on, as a restarted process would. */
interface Backend {
    name: string;
    /** Whether two connections can hold transactions at once (pglite-socket runs every connection on one session). */
    concurrentConnections: boolean;
    fresh(): Promise<string>;
    open(where: string): Promise<MirrorStore>;
}

let pglite: PGlite | undefined;
let pgServer: PGLiteSocketServer | undefined;
let pgPool: Awaited<ReturnType<typeof postgresPool>> | undefined;

beforeAll(async () => {
    pglite = await PGlite.create();
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    pgServer = new PGLiteSocketServer({ db: pglite, host: '127.0.0.1', port, maxConnections: 1 });
    await pgServer.start();
    // One pool for the file: pglite-socket serves one connection at a time, and a "restarted process" here is a new
    // store whose crashed transaction was rolled back, as Postgres does when a client dies.
    pgPool = await postgresPool(`postgresql://postgres@127.0.0.1:${port}/postgres`, { max: 1 });
}, 120_000);

afterAll(async () => {
    await pgPool?.end();
    await pgServer?.stop();
    await pglite?.close();
});

const backends: Backend[] = [
    { name: 'SQLite', concurrentConnections: true, fresh: async () => dbFile(), open: async (file) => new SqliteMirrorStore(file) },
    {
        name: 'Postgres (pg over PGlite)',
        concurrentConnections: false,
        fresh: async () => {
            await pgPool?.query('DROP TABLE IF EXISTS mirror_records, mirror_cursors, mirror_outbox, mirror_dead_letters');
            return 'shared pool';
        },
        open: async () => PostgresMirrorStore.open(pgPool!, { endPoolOnClose: false })
    }
];

describe.each(backends)('mirror on $name', (spec) => {
    // Every store a test opens is closed after it (again, if the test closed it): Postgres has one connection here.
    const opened: MirrorStore[] = [];
    const backend = {
        ...spec,
        open: async (where: string) => {
            const store = await spec.open(where);
            opened.push(store);
            return store;
        }
    };
    afterEach(async () => {
        for (const store of opened.splice(0)) await store.close().catch(() => undefined);
    });

    it('ends equal to the cache, each change notified once, whatever webhooks arrive: 3 times, late, out of order', async () => {
        const w = world();
        const mirror = w.mirror(await backend.open(await backend.fresh()));
        const receiver = createWebhookReceiver({
            signingKey: SIGNING_KEY,
            onWebhook: async (hook) => void (await mirror.handleWebhook(hook))
        });
        const deliver = (...bodies: unknown[]) => bodies.forEach((body) => expect(receiver.handle(...signed(body)).status).toBe(200));
        const w1 = webhook('INITIAL', 5);
        const w2 = webhook('INCREMENTAL', 1);
        const w3 = webhook('INCREMENTAL', 1);

        w.nango.save(
            SF,
            CONN,
            MODEL,
            ['L1', 'L2', 'L3', 'L4', 'L5'].map((id) => lead(id))
        );
        deliver(w1, w1, w1);
        await receiver.idle();
        expect(await mirror.records(CONN, MODEL)).toEqual(w.live());

        w.nango.save(SF, CONN, MODEL, [lead('L2', 'Working'), lead('L6')]);
        w.nango.delete(SF, CONN, MODEL, ['L3']);
        deliver(w2, w1, w2);
        await receiver.idle();
        expect(await mirror.records(CONN, MODEL)).toEqual(w.live());

        w.nango.save(SF, CONN, MODEL, [lead('L4', 'Closed'), lead('L3', 'Back')]);
        deliver(w3, w3);
        await receiver.idle();
        deliver(w2, w1);
        await receiver.idle();

        expect(await mirror.records(CONN, MODEL)).toEqual(w.live());
        expect(w.live().map((r) => r['id'])).toEqual(['L1', 'L2', 'L3', 'L4', 'L5', 'L6']);
        expect(summary(w.notified)).toEqual(
            [
                'L1 added',
                'L2 added',
                'L3 added',
                'L4 added',
                'L5 added',
                'L2 updated',
                'L6 added',
                'L3 deleted',
                'L4 updated',
                'L3 added'
            ].sort()
        );
        expect(new Set(w.notified.map((c) => c.changeId)).size).toBe(w.notified.length);
    });

    const points: CrashPoint[] = ['page-read', 'records-written', 'page-committed'];
    for (const point of points) {
        it(`a kill at ${point} on any page loses and duplicates nothing`, async () => {
            for (const crashOnPage of [1, 2, 3]) {
                const w = world();
                const file = await backend.fresh();
                w.nango.save(
                    SF,
                    CONN,
                    MODEL,
                    ['L1', 'L2', 'L3', 'L4', 'L5'].map((id) => lead(id))
                );
                let pages = 0;
                const first = await backend.open(file);
                const dying = w.mirror(first, {
                    crashAt: (at) => {
                        if (at === 'page-read') pages += 1;
                        if (at === point && pages === crashOnPage) throw new MirrorCrash(at);
                    }
                });
                await expect(dying.sync(CONN, MODEL)).rejects.toBeInstanceOf(MirrorCrash);
                await first.close();

                // The next process: it finishes what is queued, then a webhook (here, a direct sync) moves it on.
                const second = await backend.open(file);
                const restarted = w.mirror(second);
                await restarted.deliverDue();
                // L2 was notified as added in its first state only if it was read before the crash.
                const hadL2 = w.notified.some((c) => c.recordId === 'L2');
                w.nango.save(SF, CONN, MODEL, [lead('L2', 'Working')]);
                await restarted.sync(CONN, MODEL);

                expect(await restarted.records(CONN, MODEL), `page ${crashOnPage}`).toEqual(w.live());
                const expected = ['L1 added', 'L2 added', ...(hadL2 ? ['L2 updated'] : []), 'L3 added', 'L4 added', 'L5 added'];
                expect(summary(w.notified), `page ${crashOnPage}`).toEqual(expected);
                expect(new Set(w.notified.map((c) => c.changeId)).size).toBe(w.notified.length);
                await second.close();
            }
        });
    }

    it('a kill after a hook ran repeats that delivery, with the same changeId (at least once)', async () => {
        const w = world();
        const file = await backend.fresh();
        w.nango.save(SF, CONN, MODEL, [lead('L1')]);
        const first = await backend.open(file);
        const dying = w.mirror(first, {
            crashAt: (at) => {
                if (at === 'hook-ran') throw new MirrorCrash(at);
            }
        });
        await expect(dying.sync(CONN, MODEL)).rejects.toBeInstanceOf(MirrorCrash);
        await first.close();
        const second = await backend.open(file);
        await w.mirror(second).deliverDue();
        expect(w.notified.map((c) => c.changeId)).toEqual([w.notified[0]?.changeId, w.notified[0]?.changeId]);
        expect(await second.records({ connectionId: CONN, model: MODEL })).toEqual(w.live());
        await second.close();
    });

    it.skipIf(!backend.concurrentConnections)('two workers on the same database move one cursor: nothing applied twice', async () => {
        const w = world();
        const file = await backend.fresh();
        w.nango.save(
            SF,
            CONN,
            MODEL,
            ['L1', 'L2', 'L3', 'L4', 'L5', 'L6', 'L7'].map((id) => lead(id))
        );
        const [a, b] = [await backend.open(file), await backend.open(file)];
        const [ma, mb] = [w.mirror(a), w.mirror(b)];
        await Promise.all([ma.sync(CONN, MODEL), mb.sync(CONN, MODEL), ma.sync(CONN, MODEL), mb.sync(CONN, MODEL)]);
        expect(await ma.records(CONN, MODEL)).toEqual(w.live());
        expect(summary(w.notified)).toEqual(['L1', 'L2', 'L3', 'L4', 'L5', 'L6', 'L7'].map((id) => `${id} added`));
        await Promise.all([a.close(), b.close()]);
    });

    it('a full resync after Nango emptied its cache deletes what is gone and notifies only real changes, even if cut', async () => {
        const w = world();
        const file = await backend.fresh();
        w.nango.save(
            SF,
            CONN,
            MODEL,
            ['L1', 'L2', 'L3', 'L4', 'L5'].map((id) => lead(id))
        );
        const store = await backend.open(file);
        await w.mirror(store).handleWebhook(JSON.parse(JSON.stringify(webhook('INITIAL', 5))) as never);
        w.notified.length = 0;

        // A reset: the cache is emptied, the sync saves what the provider holds now. L3..L5 never come back as deleted.
        w.nango.clear(SF, CONN, MODEL);
        w.nango.save(SF, CONN, MODEL, [lead('L1'), lead('L2', 'Working'), lead('L7')]);
        let pages = 0;
        const dying = w.mirror(store, {
            crashAt: (at) => {
                if (at === 'page-committed' && ++pages === 1) throw new MirrorCrash(at);
            }
        });
        await expect(dying.resync(CONN, MODEL)).rejects.toBeInstanceOf(MirrorCrash);
        // Restarted, an ordinary incremental webhook finishes the cut pass.
        await w.mirror(store).sync(CONN, MODEL);

        expect(await store.records({ connectionId: CONN, model: MODEL })).toEqual(w.live());
        expect(summary(w.notified)).toEqual(['L2 updated', 'L3 deleted', 'L4 deleted', 'L5 deleted', 'L7 added']);
        await store.close();
    });

    it('retries a failing hook with backoff, then parks it in the dead-letter table; the mirror and other hooks go on', async () => {
        const w = world();
        const store = await backend.open(await backend.fresh());
        const mirror = w.mirror(store, { retry: { maxAttempts: 4, baseDelayMs: 1_000 } });
        let calls = 0;
        mirror.onRecord('crm-push', (change) => {
            calls += 1;
            if (change.recordId === 'L2') throw new Error('CRM is down');
        });
        w.nango.save(SF, CONN, MODEL, [lead('L1'), lead('L2')]);
        await mirror.sync(CONN, MODEL);
        for (let i = 0; i < 5; i += 1) {
            w.clock.t += w.scheduled.at(-1) ?? 0;
            await mirror.deliverDue();
        }
        w.nango.save(SF, CONN, MODEL, [lead('L3')]);
        await mirror.sync(CONN, MODEL);

        expect(w.scheduled).toEqual([1_000, 2_000, 4_000]);
        const parked = await mirror.deadLetters();
        expect(parked.map((d) => [d.hook, d.change.recordId, d.attempts, d.lastError])).toEqual([['crm-push', 'L2', 4, 'CRM is down']]);
        expect(calls).toBe(1 + 4 + 1);
        expect(summary(w.notified)).toEqual(['L1 added', 'L2 added', 'L3 added']);
        expect(await mirror.records(CONN, MODEL)).toEqual(w.live());
    });

    it('reads what a failed run saved before it failed, and ignores webhooks of other integrations', async () => {
        const w = world();
        const mirror = w.mirror(await backend.open(await backend.fresh()));
        w.nango.save(SF, CONN, MODEL, [lead('L1'), lead('L2')]);
        const failed = {
            ...webhook('INITIAL', 0),
            success: false,
            error: { type: 'script_http_error', description: 'Salesforce answered 503' },
            startedAt: '2026-12-01T07:00:00.000Z',
            failedAt: '2026-12-01T07:01:00.000Z'
        };
        const [raw, headers] = signed(failed);
        const receiver = createWebhookReceiver({
            signingKey: SIGNING_KEY,
            onWebhook: async (hook) => void (await mirror.handleWebhook(hook))
        });
        expect(receiver.handle(raw, headers).status).toBe(200);
        const [other, otherHeaders] = signed({ ...webhook('INCREMENTAL', 1), providerConfigKey: 'salesforce-sandbox' });
        expect(receiver.handle(other, otherHeaders).status).toBe(200);
        await receiver.idle();
        expect(await mirror.records(CONN, MODEL)).toEqual(w.live());
        expect(w.nango.requests).toEqual(['GET /records/']);
    });

    it('delivers what another key queued while a delivery round was running, without waiting for a timer', async () => {
        const w = world();
        w.nango.addConnection(SF, 'beta');
        const store = await backend.open(await backend.fresh());
        const mirror = w.mirror(store);
        let release!: () => void;
        const gate = new Promise<void>((resolve) => (release = resolve));
        let reached!: () => void;
        const inHook = new Promise<void>((resolve) => (reached = resolve));
        mirror.onRecord('slow', async (change) => {
            if (change.connectionId !== CONN) return;
            reached();
            await gate;
        });
        w.nango.save(SF, CONN, MODEL, [lead('L1')]);
        w.nango.save(SF, 'beta', MODEL, [lead('B1')]);
        const first = mirror.sync(CONN, MODEL);
        await inHook;
        w.clock.t += 5;
        const second = mirror.sync('beta', MODEL);
        // Its page commits, then it waits on the round that is stuck in the slow hook.
        for (let i = 0; i < 1000 && (await store.cursorState({ connectionId: 'beta', model: MODEL })).cursor === null; i += 1) {
            await new Promise((resolve) => setImmediate(resolve));
        }
        release();
        await Promise.all([first, second]);
        expect(w.notified.map((c) => c.recordId)).toEqual(['L1', 'B1']);
    });

    it('a forged webhook moves nothing', async () => {
        const w = world();
        const mirror = w.mirror(await backend.open(await backend.fresh()));
        const receiver = createWebhookReceiver({
            signingKey: SIGNING_KEY,
            onWebhook: async (hook) => void (await mirror.handleWebhook(hook))
        });
        w.nango.save(SF, CONN, MODEL, [lead('L1')]);
        const [raw] = signed(webhook('INCREMENTAL', 1));
        expect(receiver.handle(raw, { 'x-nango-hmac-sha256': createHmac('sha256', 'guessed').update(raw).digest('hex') }).status).toBe(401);
        expect(receiver.handle(raw, {}).status).toBe(401);
        await receiver.idle();
        expect(w.nango.requests).toEqual([]);
        expect(await mirror.records(CONN, MODEL)).toEqual([]);
    });
});
