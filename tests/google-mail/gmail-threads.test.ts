import { beforeAll, describe, expect, it } from 'vitest';
import { runSync } from '../../runtime/index.js';
import { findRoute, serveRoute } from '../../simulators/gmail/router.js';
import { http, HttpResponse } from 'msw';
import { server } from '../support/msw.js';
import { SAVE_CHUNK } from '../../nango-integrations/google-mail/threads.js';
import { compiledGoogleMail } from './compiled.js';
import type { GmailThread } from '../../models.js';
import { toMessage } from '../../simulators/gmail/payload.js';
import { partText, type MimeNode } from '../../simulators/gmail/mime.js';
import { PREHEADER, shapeOf, shapes, type Shape } from '../../simulators/gmail/shapes.js';
import { conn, duplicates, mailWorld, messageGets, recordRequests, threadGets, threadReads, type MailWorld } from './harness.js';

const INCREMENTAL = { phase: 'incremental', pageToken: '', afterThreadId: '', query: '', resync: false };

/** A first run that completes, for the scenarios that start from a synced mailbox. */
async function synced(options: Parameters<typeof mailWorld>[0] = {}): Promise<MailWorld> {
    const world = mailWorld(options);
    const first = await world.sync();
    expect(first.status).toBe('success');
    expect(world.verdict().ok).toBe(true);
    return world;
}

function liveIds(world: MailWorld): string[] {
    return world.store
        .liveRecords(conn, 'GmailThread')
        .map((record) => String(record['id']))
        .sort();
}

describe('gmail-threads backfill', () => {
    it('first run: lists 500 threads a page, fetches each visible thread once, paced under the quota, then switches to history', async () => {
        const world = mailWorld({ threads: 520 });
        const historyBefore = String(world.sim.historyId);
        const requests = recordRequests();
        const result = await world.sync();
        requests.stop();

        expect(result.status).toBe('success');
        expect(world.verdict()).toMatchObject({ ok: true, missing: [], stale: [], notDeleted: [] });
        const fetched = threadReads(requests.urls);
        expect(duplicates(fetched)).toEqual([]);
        expect(fetched.length).toBe(world.sim.truth('GmailThread').length);
        // Threads of one message are read as that message (5 units, not 10), once the listing of messages is done.
        const singles = [...world.sim.mailbox.threads.values()].filter((thread) => thread.messages.length === 1).map((thread) => thread.id);
        const asMessage = messageGets(requests.urls);
        expect(asMessage.length).toBeGreaterThan(singles.length / 2);
        expect(asMessage.filter((id) => !singles.includes(id))).toEqual([]);
        const messageLists = requests.urls.filter((url) => url.pathname === '/gmail/v1/users/me/messages');
        expect(
            messageLists.every((url) => url.searchParams.get('includeSpamTrash') === 'true' && url.searchParams.get('maxResults') === '500')
        ).toBe(true);
        const lists = requests.urls.filter((url) => url.pathname.endsWith('/threads'));
        expect(lists.map((url) => [url.searchParams.get('maxResults'), url.searchParams.has('pageToken')])).toEqual([
            ['500', false],
            ['500', true]
        ]);
        expect(requests.urls.every((url) => !url.pathname.includes('/threads/') || url.searchParams.get('format') === 'full')).toBe(true);
        // The history id is read before the listing starts, so changes made during the backfill are replayed later.
        expect(requests.urls[0]!.pathname).toBe('/gmail/v1/users/me/profile');
        expect(world.store.getCheckpoint(conn, 'gmail-threads')).toEqual({ ...INCREMENTAL, historyId: historyBefore });
        expect(world.sim.core.meter.totals().limited).toBe(0);
    });

    it('resumes after a crash between pages without refetching, and ends with the cache an uninterrupted run gives', async () => {
        const world = mailWorld({ threads: 520 });
        const requests = recordRequests();
        // Checkpoint 1 is the captured history id, 2 to 5 follow the first page's chunks of 100, 6 the page itself: the
        // run dies right after it.
        const cut = await world.sync({ stopAfterCheckpoints: 6 });
        expect(cut.status).toBe('interrupted');
        const firstRun = threadReads(requests.urls);
        expect(firstRun.length).toBe(500);
        expect(world.store.getCheckpoint(conn, 'gmail-threads')).toMatchObject({
            phase: 'backfill',
            pageToken: expect.stringMatching(/.+/),
            afterThreadId: ''
        });
        requests.urls.length = 0;

        const resumed = await world.sync();
        requests.stop();
        expect(resumed.status).toBe('success');
        const secondRun = threadReads(requests.urls);
        expect(secondRun.filter((id) => firstRun.includes(id))).toEqual([]);
        expect(world.verdict()).toMatchObject({ ok: true, missing: [], wronglyDeleted: [], notDeleted: [] });

        const reference = mailWorld({ threads: 520 });
        server.resetHandlers(...reference.sim.handlers);
        expect((await reference.sync()).status).toBe('success');
        const byId = (records: Record<string, unknown>[]) => [...records].sort((a, b) => String(a['id']).localeCompare(String(b['id'])));
        expect(byId(world.store.liveRecords(conn, 'GmailThread'))).toEqual(byId(reference.store.liveRecords(conn, 'GmailThread')));
    });

    it('a backfill cut inside a page resumes after the last saved chunk: at most one save chunk is fetched again', async () => {
        const world = mailWorld({ threads: 520 });
        // The run dies partway through the first page of 500 (Gmail fails every threads.get after the 250th).
        let gets = 0;
        server.use(
            http.get('https://gmail.googleapis.com/gmail/v1/users/me/threads/:id', () => {
                gets += 1;
                return gets <= 250 ? undefined : HttpResponse.json({ error: { code: 503, message: 'unavailable' } }, { status: 503 });
            })
        );
        const requests = recordRequests();
        expect((await world.sync()).status).toBe('failed');
        const saved = world.store.liveRecords(conn, 'GmailThread').map((record) => String(record['id']));
        expect(saved.length).toBeGreaterThanOrEqual(200);
        expect(world.store.getCheckpoint(conn, 'gmail-threads')).toMatchObject({ phase: 'backfill', pageToken: '' });
        server.resetHandlers(...world.sim.handlers);
        requests.urls.length = 0;

        const resumed = await world.sync();
        requests.stop();
        expect(resumed.status).toBe('success');
        const again = threadGets(requests.urls).filter((id) => saved.includes(id));
        expect(again.length).toBeLessThanOrEqual(SAVE_CHUNK);
        expect(threadGets(requests.urls).length).toBeLessThanOrEqual(520 - saved.length + SAVE_CHUNK);
        expect(world.verdict()).toMatchObject({ ok: true, missing: [], wronglyDeleted: [], notDeleted: [] });
    });

    it('loses nothing that changed while an interrupted backfill waited: the next runs replay it from the captured history id', async () => {
        const world = mailWorld({ threads: 520 });
        expect((await world.sync({ stopAfterCheckpoints: 2 })).status).toBe('interrupted');
        // Mail arrives, labels move and threads go while the backfill is paused, in pages already done and pages to come.
        world.sim.applyActivity('new-mail');
        world.sim.applyActivity('label-changes');
        world.sim.applyActivity('delete-messages');
        expect((await world.sync()).status).toBe('success');
        const incremental = await world.sync();
        expect(incremental.status).toBe('success');
        expect(world.verdict()).toMatchObject({ ok: true, missing: [], stale: [], notDeleted: [] });
    });

    it('backfills only recent mail when the connection metadata sets backfillDays', async () => {
        const world = mailWorld({ threads: 80 });
        world.store.setMetadata(conn, { backfillDays: 30 });
        const requests = recordRequests();
        expect((await world.sync()).status).toBe('success');
        requests.stop();
        const listing = requests.urls.find((url) => url.pathname.endsWith('/threads'))!;
        expect(listing.searchParams.get('q')).toBe('newer_than:30d');
        const recent = await fetch(`https://gmail.googleapis.com/gmail/v1/users/me/threads?q=newer_than:30d&maxResults=500`, {
            headers: { authorization: 'Bearer test-access-token' }
        }).then((response) => response.json() as Promise<{ threads?: { id: string }[] }>);
        const expected = (recent.threads ?? []).map((thread) => thread.id).sort();
        expect(expected.length).toBeGreaterThan(0);
        expect(expected.length).toBeLessThan(world.sim.truth('GmailThread').length);
        expect(liveIds(world)).toEqual(expected);
    });
});

describe('gmail-threads connection metadata', () => {
    const refused: [string, Record<string, unknown>, RegExp][] = [
        [
            'a negative backfillDays',
            { backfillDays: -3 },
            /metadata\.backfillDays must be a positive integer \(got -3\); fix it with setMetadata/
        ],
        ['a backfillDays given as a string', { backfillDays: '30' }, /metadata\.backfillDays must be a positive integer \(got "30"\)/],
        ['a fractional backfillDays', { backfillDays: 1.5 }, /metadata\.backfillDays must be a positive integer \(got 1\.5\)/],
        [
            'a pushTopic that is not a topic name',
            { pushTopic: 'gmail-push' },
            /metadata\.pushTopic must be a Pub\/Sub topic name, projects\/<project>\/topics\/<topic> \(got "gmail-push"\)/
        ],
        [
            'a misspelt key',
            { backfilDays: 30 },
            /metadata has an unknown key "backfilDays" \(known: backfillDays, pushTopic, emailAddress, [^)]*\); fix it with setMetadata/
        ]
    ];
    for (const [what, metadata, message] of refused) {
        it(`fails the run before any call on ${what}, naming the field and the remedy`, async () => {
            const world = mailWorld({ threads: 10 });
            world.store.setMetadata(conn, metadata);
            const requests = recordRequests();
            const result = await world.sync();
            requests.stop();
            expect(result.status).toBe('failed');
            expect(result.error?.message).toMatch(message);
            expect(requests.urls).toEqual([]);
            expect(world.store.countLive(conn, 'GmailThread')).toBe(0);
        });
    }

    it('refuses bad metadata on an incremental run too, before any call', async () => {
        const world = await synced();
        world.store.setMetadata(conn, { backfillDays: 0 });
        const requests = recordRequests();
        const result = await world.sync();
        requests.stop();
        expect(result.status).toBe('failed');
        expect(result.error?.message).toMatch(/metadata\.backfillDays must be a positive integer \(got 0\)/);
        expect(requests.urls).toEqual([]);
    });
});

describe('gmail-threads incremental', () => {
    it('a second run with no changes saves and deletes nothing and fetches no thread', async () => {
        const world = await synced();
        const requests = recordRequests();
        const second = await world.sync();
        requests.stop();
        expect(second.status).toBe('success');
        expect(second.byModel['GmailThread']).toEqual({ added: 0, updated: 0, deleted: 0 });
        expect(threadGets(requests.urls)).toEqual([]);
        expect(requests.urls.map((url) => url.pathname)).toEqual(['/gmail/v1/users/me/history']);
    });

    for (const activity of ['new-mail', 'label-changes', 'delete-messages', 'trash'] as const) {
        it(`after "${activity}", fetches only the changed threads, once each, and matches the mailbox`, async () => {
            const world = await synced();
            const before = new Map(world.sim.truth('GmailThread').map((record) => [record.id, record.version]));
            world.sim.applyActivity(activity);
            const after = world.sim.truth('GmailThread');
            const changed = after.filter((record) => before.get(record.id) !== record.version).map((record) => record.id);
            const removed = [...before.keys()].filter((id) => !after.some((record) => record.id === id));

            const requests = recordRequests();
            const result = await world.sync();
            requests.stop();
            expect(result.status).toBe('success');
            expect(world.verdict()).toMatchObject({ ok: true, missing: [], stale: [], notDeleted: [], wronglyDeleted: [] });
            const fetched = threadGets(requests.urls);
            expect(duplicates(fetched)).toEqual([]);
            // Every changed or removed thread is looked at; nothing else is.
            expect(new Set(fetched)).toEqual(new Set([...changed, ...removed]));
            expect(result.byModel['GmailThread']!.deleted).toBe(removed.length);
            if (activity === 'delete-messages' || activity === 'trash') expect(removed.length).toBeGreaterThan(0);
        });
    }

    it('deletes a thread whose messages were all deleted (batchDelete), keeps one that lost only some', async () => {
        const world = await synced();
        const [whole, partial] = world.sim
            .truth('GmailThread')
            .map((record) => world.sim.thread(record.id)!)
            .filter((thread) => thread.messages.length > 1);
        for (const message of [...whole!.messages]) world.sim.deleteMessage(message.id);
        world.sim.deleteMessage(partial!.messages[0]!.id);
        const result = await world.sync();
        expect(result.byModel['GmailThread']).toEqual({ added: 0, updated: 1, deleted: 1 });
        const record = world.store.allRecords(conn, 'GmailThread').find((r) => r.id === whole!.id)!;
        expect(record._nango_metadata.last_action).toBe('DELETED');
        const kept = world.store.liveRecords(conn, 'GmailThread').find((r) => r['id'] === partial!.id) as { messages: unknown[] };
        expect(kept.messages).toHaveLength(partial!.messages.length);
        expect(world.verdict().ok).toBe(true);
    });

    it('follows history over several pages and checkpoints inside it', async () => {
        const world = await synced();
        // 180 threads of 3 messages: 540 history records, more than one history.list page of 500.
        for (let i = 0; i < 180; i += 1) world.sim.addThread({ messages: 3 });
        for (let i = 0; i < 4; i += 1) world.sim.applyActivity('label-changes');
        const result = await world.sync();
        expect(result.status).toBe('success');
        expect(result.checkpoints).toBeGreaterThan(1);
        expect(result.byModel['GmailThread']!.added).toBe(180);
        expect(world.verdict().ok).toBe(true);
        expect(world.store.getCheckpoint(conn, 'gmail-threads')).toEqual({ ...INCREMENTAL, historyId: String(world.sim.historyId) });
    });
});

/** 600 label changes over the mailbox (more than one history.list page of 500); returns the first thread changed. */
function manyLabelChanges(world: MailWorld): string {
    const messages = world.sim
        .truth('GmailThread')
        .flatMap((record) => world.sim.thread(record.id)!.messages.map((message) => message.id))
        .sort();
    for (let i = 0; i < 600; i += 1) {
        const id = messages[i % messages.length]!;
        if (i % 2 === 0) world.sim.modifyLabels(id, ['STARRED'], []);
        else world.sim.modifyLabels(id, [], ['STARRED']);
    }
    return world.sim.mailbox.messages.get(messages[0]!)!.threadId;
}

/** Runs `change` right after Gmail answers the first threads.get of `threadId`, as a user acting during the run. */
function afterFirstFetch(world: MailWorld, threadId: string, change: () => void): void {
    server.use(
        http.get(
            `https://gmail.googleapis.com/gmail/v1/users/me/threads/${threadId}`,
            async ({ request }) => {
                const found = findRoute(world.sim.routes, 'GET', new URL(request.url).pathname)!;
                const answer = await serveRoute(world.sim.core, found.route, request, found.params);
                change();
                return answer;
            },
            { once: true }
        )
    );
}

describe('gmail-threads changes made during an incremental run', () => {
    it('refetches a thread changed after this run fetched it, when the change comes on a later history page', async () => {
        const world = await synced();
        const threadId = manyLabelChanges(world);
        const message = world.sim.thread(threadId)!.messages[0]!.id;
        afterFirstFetch(world, threadId, () => world.sim.modifyLabels(message, ['Label_9'], []));
        const requests = recordRequests();
        const result = await world.sync();
        requests.stop();
        expect(result.status).toBe('success');
        expect(threadGets(requests.urls).filter((id) => id === threadId)).toHaveLength(2);
        expect(world.verdict()).toMatchObject({ ok: true, stale: [] });
        expect(world.store.getCheckpoint(conn, 'gmail-threads')).toEqual({ ...INCREMENTAL, historyId: String(world.sim.historyId) });
    });

    it('deletes a thread deleted after this run fetched it, when the deletion comes on a later history page', async () => {
        const world = await synced();
        const threadId = manyLabelChanges(world);
        afterFirstFetch(world, threadId, () => world.sim.deleteThread(threadId));
        const result = await world.sync();
        expect(result.status).toBe('success');
        expect(world.verdict()).toMatchObject({ ok: true, notDeleted: [] });
        const record = world.store.allRecords(conn, 'GmailThread').find((r) => r.id === threadId)!;
        expect(record._nango_metadata.last_action).toBe('DELETED');
    });
});

describe('gmail-threads recovery', () => {
    it('an expired history id (404) leads to a full resync that also removes threads deleted during the gap', async () => {
        const world = await synced();
        world.sim.applyActivity('delete-messages');
        world.sim.applyActivity('new-mail');
        world.sim.applyActivity('trash');
        world.sim.applyActivity('history-expiry');
        const result = await world.sync();
        expect(result.status).toBe('success');
        expect(result.logs.some((log) => /has expired \(404\)/.test(log.message))).toBe(true);
        expect(result.byModel['GmailThread']!.deleted).toBeGreaterThanOrEqual(4);
        expect(world.verdict()).toMatchObject({ ok: true, missing: [], stale: [], notDeleted: [], wronglyDeleted: [] });
        // Back to increments from the id read before the resync.
        expect(world.store.getCheckpoint(conn, 'gmail-threads')).toMatchObject(INCREMENTAL);
        const quiet = await world.sync();
        expect(quiet.byModel['GmailThread']).toEqual({ added: 0, updated: 0, deleted: 0 });
    });

    // Nango keeps a trackDeletesStart window open across executions until trackDeletesEnd (NangoHQ/nango#5517, "make
    // track deletes work across execution"), so the threads saved by the cut run still count as seen.
    it('a resync cut inside a page resumes and deletes only what is really gone', async () => {
        const world = await synced({ threads: 520 });
        world.sim.applyActivity('delete-messages');
        world.sim.applyActivity('history-expiry');
        // Checkpoints: the resync's start, then its first chunk of 100 threads; cut right after it, inside the page.
        const cut = await world.sync({ stopAfterCheckpoints: 2 });
        expect(cut.status).toBe('interrupted');
        expect(world.store.getCheckpoint(conn, 'gmail-threads')).toMatchObject({ phase: 'backfill', resync: true });
        const resumed = await world.sync();
        expect(resumed.status).toBe('success');
        expect(world.verdict()).toMatchObject({ ok: true, missing: [], wronglyDeleted: [], notDeleted: [] });
    });

    it('fails, before any call, on a checkpoint that does not match its schema (a misspelt phase), instead of restarting the backfill', async () => {
        const world = await synced();
        const saved = world.store.getCheckpoint(conn, 'gmail-threads')!;
        world.store.saveCheckpoint(conn, 'gmail-threads', { ...saved, phase: 'incremetnal' });
        const requests = recordRequests();
        const result = await world.sync();
        requests.stop();
        expect(result.status).toBe('failed');
        expect(result.error?.message).toMatch(/gmail-threads checkpoint .*phase.*full resync/);
        expect(requests.urls).toEqual([]);
    });

    it('a backfill resumed after its page token went stale (400) lists again from the first page and completes', async () => {
        const world = mailWorld({ threads: 520 });
        // Cut after the first page of 500 (checkpoints: start, four chunks, the page), then four days without a run.
        expect((await world.sync({ stopAfterCheckpoints: 6 })).status).toBe('interrupted');
        expect(world.store.getCheckpoint(conn, 'gmail-threads')).toMatchObject({
            phase: 'backfill',
            pageToken: expect.stringMatching(/.+/)
        });
        world.clock.advance(4 * 86_400_000);
        const requests = recordRequests();
        const resumed = await world.sync();
        requests.stop();
        expect(resumed.status).toBe('success');
        expect(resumed.logs.some((log) => /page token .* refused/i.test(log.message))).toBe(true);
        const lists = requests.urls.filter((url) => url.pathname.endsWith('/threads'));
        expect(lists.map((url) => url.searchParams.has('pageToken'))).toEqual([true, false, true]);
        expect(world.verdict()).toMatchObject({ ok: true, missing: [], wronglyDeleted: [], notDeleted: [] });
    });

    it('rides out bursts of 429 with Retry-After and 5xx answers on every kind of call', async () => {
        const world = mailWorld({ threads: 60 });
        world.sim.core.faults.inject(
            'threads.get',
            { kind: 'status', status: 429, retryAfterSeconds: 2, reason: 'userRateLimitExceeded' },
            6
        );
        world.sim.core.faults.inject('threads.list', { kind: 'status', status: 503 }, 2);
        world.sim.core.faults.inject('getProfile', { kind: 'status', status: 500 }, 1);
        const first = await world.sync();
        expect(first.status).toBe('success');
        expect(world.verdict().ok).toBe(true);
        expect(first.logs.filter((log) => /Retrying HTTP call/.test(log.message)).length).toBeGreaterThanOrEqual(9);

        world.sim.applyActivity('new-mail');
        world.sim.core.faults.inject('history.list', { kind: 'status', status: 502 }, 2);
        world.sim.core.faults.inject('threads.get', { kind: 'network' }, 2);
        const second = await world.sync();
        expect(second.status).toBe('success');
        expect(world.verdict().ok).toBe(true);
    });

    it('fails the run (keeping its checkpoint) when Gmail keeps failing, and the next run finishes the job', async () => {
        const world = mailWorld({ threads: 60 });
        world.sim.core.faults.inject('threads.get', { kind: 'status', status: 503 }, 10_000);
        const failed = await world.sync();
        expect(failed.status).toBe('failed');
        expect(world.store.getCheckpoint(conn, 'gmail-threads')).toMatchObject({ phase: 'backfill' });
        world.sim.core.faults.clear();
        expect((await world.sync()).status).toBe('success');
        expect(world.verdict().ok).toBe(true);
    });

    it('logs and skips a message missing required fields without failing the run or losing its thread', async () => {
        const world = mailWorld({ threads: 30 });
        const victim = world.sim
            .truth('GmailThread')
            .map((record) => world.sim.thread(record.id)!)
            .find((thread) => thread.messages.length > 1)!;
        const brokenMessageId = victim.messages[0]!.id;
        // Gmail answering one message of a thread without its payload and internalDate.
        server.use(
            http.get(`https://gmail.googleapis.com/gmail/v1/users/me/threads/${victim.id}`, async ({ request }) => {
                const found = findRoute(world.sim.routes, 'GET', new URL(request.url).pathname)!;
                const answer = (await (await serveRoute(world.sim.core, found.route, request, found.params)).json()) as {
                    messages: Record<string, unknown>[];
                };
                delete answer.messages[0]!['payload'];
                delete answer.messages[0]!['internalDate'];
                return HttpResponse.json(answer);
            })
        );
        const result = await world.sync();
        expect(result.status).toBe('success');
        expect(result.logs.some((log) => log.message.includes(`Skipped message ${brokenMessageId} of thread ${victim.id}`))).toBe(true);
        const stored = world.store.liveRecords(conn, 'GmailThread').find((record) => record['id'] === victim.id) as {
            messages: { id: string }[];
        };
        expect(stored.messages.map((message) => message.id)).toEqual(victim.messages.slice(1).map((message) => message.id));
        expect(world.verdict().ok).toBe(true);
    });
});

describe('gmail-threads envelope headers', () => {
    it("stores each message's Reply-To, In-Reply-To, References, List-Unsubscribe, size and Date header as the simulator serves them", async () => {
        const world = mailWorld({ threads: 60 });
        expect((await world.sync()).status).toBe('success');
        const stored = world.store.liveRecords(conn, 'GmailThread').flatMap((record) => (record as unknown as GmailThread).messages);
        const seen = { replyTo: 0, inReplyTo: 0, listUnsubscribe: 0 };
        for (const message of stored) {
            const served = toMessage(world.sim.mailbox, world.sim.mailbox.messages.get(message.id)!, 'full');
            const header = (name: string) => served.payload!.headers!.find((h) => h.name!.toLowerCase() === name.toLowerCase())?.value;
            const ids = (value: string | null | undefined) => (value ?? '').match(/<[^>]+>/g) ?? [];
            expect(message.dateHeader).toBe(header('Date'));
            expect(message.sizeEstimate).toBe(served.sizeEstimate);
            expect(message.inReplyTo ?? undefined).toBe(ids(header('In-Reply-To'))[0]);
            expect(message.references).toEqual(ids(header('References')));
            expect(message.listUnsubscribe).toEqual(ids(header('List-Unsubscribe')).map((target) => target.slice(1, -1)));
            expect(message.replyTo!.map((address) => address.email)).toEqual(ids(header('Reply-To')).map((a) => a.slice(1, -1)));
            if (message.replyTo!.length > 0) seen.replyTo += 1;
            if (message.inReplyTo) seen.inReplyTo += 1;
            if (message.listUnsubscribe!.length > 0) seen.listUnsubscribe += 1;
        }
        // The seed must actually produce each header, or the comparisons above prove nothing.
        expect(Object.values(seen).every((count) => count > 0)).toBe(true);
    });
});

describe('gmail-threads on the odd shapes real Gmail serves', () => {
    it('stores every shape the seed produces as a reader expects it', async () => {
        const world = mailWorld({ threads: 120 });
        expect((await world.sync()).status).toBe('success');
        const stored = world.store.liveRecords(conn, 'GmailThread').flatMap((record) => (record as unknown as GmailThread).messages);
        const met = new Set<Shape>();
        const textOf = (tree: MimeNode, mimeType: string): string | null => {
            const texts: string[] = [];
            const visit = (node: MimeNode): void => {
                if (node.parts.length > 0) node.parts.forEach(visit);
                else if (node.mimeType === mimeType && !node.params['name']) texts.push(partText(node));
            };
            visit(tree);
            return texts.length > 0 ? texts.join('\n') : null;
        };
        for (const message of stored) {
            const source = world.sim.mailbox.messages.get(message.id)!;
            const shape = shapeOf(source.seed, source.fromOwner);
            if (!shape) continue;
            const served = toMessage(world.sim.mailbox, source, 'full');
            const headers = served.payload!.headers!;
            const header = (name: string) => headers.find((h) => h.name!.toLowerCase() === name.toLowerCase())?.value;
            const plain = world.sim.mailbox.tree(source, false);
            switch (shape) {
                case 'preheader':
                    if (!served.snippet!.includes('\u034f')) continue; // a Latin-1 message: no padding to carry
                    expect(served.snippet).toContain('&#39;');
                    expect(served.snippet).toContain('&amp;');
                    expect(message.snippet.startsWith(`${PREHEADER} `)).toBe(true);
                    expect(message.snippet).not.toMatch(/[\u034f\u200c]| {2}/);
                    break;
                case 'header-case':
                case 'charset-forms':
                case 'utf8-as-latin1':
                    if (shape === 'header-case') expect(headers.map((h) => h.name)).toContain('Message-Id');
                    expect(message.messageId).toBe(header('Message-ID'));
                    expect(message.body_text).toBe(textOf(plain, 'text/plain'));
                    expect(message.body_html).toBe(textOf(plain, 'text/html'));
                    break;
                case 'attachment-cid': {
                    const files = message.attachments.filter((attachment) => attachment.filename !== 'logo.png');
                    if (files.length === 0) continue; // a message without files
                    expect(files.every((file) => file.contentId?.startsWith('f_'))).toBe(true);
                    const thread = world.store.liveRecords(conn, 'GmailThread').find((record) => record['id'] === message.threadId);
                    expect(thread!['hasAttachment']).toBe(true);
                    break;
                }
                case 'bare-addresses':
                    expect(header('From')).not.toContain('<');
                    expect(message.from).toEqual({ email: header('From')!.trim(), name: null });
                    expect(message.to.length).toBeGreaterThan(0);
                    break;
                case 'no-to':
                    expect(header('To')).toBeUndefined();
                    expect(message.to).toEqual([]);
                    break;
                case 'report': {
                    if (served.payload!.mimeType !== 'multipart/report') continue; // a message with files keeps its tree
                    expect(message.from!.email).toBe('mailer-daemon@googlemail.com');
                    expect(message.body_text).toMatch(/^Address not found\n/);
                    expect(message.attachments.map((attachment) => attachment.mimeType)).toEqual([
                        'message/delivery-status',
                        'text/rfc822-headers'
                    ]);
                    const thread = world.store.liveRecords(conn, 'GmailThread').find((record) => record['id'] === message.threadId)!;
                    const others = (thread as unknown as GmailThread).messages.filter((m) =>
                        m.attachments.some((a) => a.filename !== '' && a.filename !== 'logo.png')
                    );
                    expect(thread['hasAttachment']).toBe(others.length > 0);
                    break;
                }
                case 'api-plain':
                    if (header('Content-Type') !== undefined) continue; // a message with files keeps its tree
                    expect(header('MIME-Version')).toBeUndefined();
                    expect(message.body_text).toBe(Buffer.from(served.payload!.body!.data!, 'base64url').toString('utf8'));
                    expect(message.body_html).toBeNull();
                    break;
            }
            met.add(shape);
        }
        expect([...met].sort()).toEqual([...shapes].sort());
        expect(world.verdict().ok).toBe(true);
    });
});

describe('gmail-threads from the compiled bundle', () => {
    let integrationsDir = '';
    beforeAll(async () => {
        integrationsDir = await compiledGoogleMail();
    }, 120_000);

    it('backfills, then follows history, as nango compile builds it', async () => {
        const world = mailWorld({ threads: 40 });
        const run = () =>
            runSync({
                integration: 'google-mail',
                name: 'gmail-threads',
                store: world.store,
                clock: world.clock,
                from: 'compiled',
                integrationsDir
            });
        expect((await run()).status).toBe('success');
        world.sim.applyActivity('new-mail');
        world.sim.applyActivity('delete-messages');
        const second = await run();
        expect(second.status).toBe('success');
        expect(world.verdict()).toMatchObject({ ok: true });
        expect(world.store.getCheckpoint(conn, 'gmail-threads')).toMatchObject({ phase: 'incremental' });
    });
});
