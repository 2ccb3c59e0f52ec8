import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { toGmailThread } from '../../nango-integrations/google-mail/mappers.js';
import { GmailApiThread } from '../../nango-integrations/google-mail/schemas.js';
import { ThreadSizeCounter } from '../../nango-integrations/google-mail/thread-sizes.js';
import { toThread } from '../../simulators/gmail/payload.js';
import { server } from '../support/msw.js';
import { conn, mailWorld, messageGets, recordRequests, threadGets, threadReads } from './harness.js';

const hex = (n: number) => n.toString(16).padStart(16, '0');

describe('ThreadSizeCounter', () => {
    it('keeps the threads seen exactly once, past its first 4,096 ids, for packed and unpacked ids alike', () => {
        const counter = new ThreadSizeCounter();
        for (let n = 0; n < 10_000; n += 1) {
            counter.add(hex(n));
            if (n % 3 === 0) counter.add(hex(n));
        }
        for (const id of ['thread-a', 'thread-b', 'thread-a', 'ABCDEF0123456789']) counter.add(id);
        const sizes = counter.finish();
        expect(sizes.singleCount).toBe(10_000 - Math.ceil(10_000 / 3) + 2);
        expect(sizes.holdsOneMessage(hex(1))).toBe(true);
        expect(sizes.holdsOneMessage(hex(3))).toBe(false);
        expect(sizes.holdsOneMessage(hex(9_998))).toBe(true);
        expect(sizes.holdsOneMessage(hex(10_001))).toBe(false);
        expect(sizes.holdsOneMessage('thread-b')).toBe(true);
        expect(sizes.holdsOneMessage('thread-a')).toBe(false);
        // Upper case does not pack, so it is not confused with the lower-case id of the same number.
        expect(sizes.holdsOneMessage('ABCDEF0123456789')).toBe(true);
        expect(sizes.holdsOneMessage('abcdef0123456789')).toBe(false);
    });
});

describe('gmail-threads reads threads of one message as that message', () => {
    it('stores for such a thread the record threads.get gives, with the thread’s history id', async () => {
        const world = mailWorld({ threads: 300 });
        const requests = recordRequests();
        expect((await world.sync()).status).toBe('success');
        requests.stop();
        const asMessage = new Set(messageGets(requests.urls));
        expect(asMessage.size).toBeGreaterThan(50);
        const cached = new Map(world.store.liveRecords(conn, 'GmailThread').map((record) => [String(record['id']), record]));
        for (const id of asMessage) {
            const thread = world.sim.mailbox.threads.get(id)!;
            const expected = toGmailThread(GmailApiThread.parse(toThread(world.sim.mailbox, thread, 'full'))).thread;
            const { _nango_metadata: _metadata, ...record } = cached.get(id)! as Record<string, unknown>;
            expect(record).toEqual(expected);
        }
        expect(world.verdict()).toMatchObject({ ok: true, stale: [] });
    });

    it('reads with threads.get a thread of one whose first message was deleted, and dates one whose reply was by the deletion', async () => {
        const world = mailWorld({ threads: 400, singleMessageShare: 0.5 });
        const [pair, other] = [...world.sim.mailbox.threads.values()].filter(
            (thread) =>
                thread.messages.length === 2 &&
                !thread.messages.some((message) => message.labelIds.includes('SPAM') || message.labelIds.includes('TRASH'))
        );
        // Its id no longer names a message: messages.get answers 404.
        world.sim.deleteMessage(pair!.messages[0]!.id);
        // Its message is older than the thread's history id, which the deletion moved: the listing's id is kept.
        world.sim.deleteMessage(other!.messages[1]!.id);
        const requests = recordRequests();
        expect((await world.sync()).status).toBe('success');
        requests.stop();
        expect(messageGets(requests.urls)).toEqual(expect.arrayContaining([pair!.id, other!.id]));
        expect(threadGets(requests.urls)).toContain(pair!.id);
        expect(threadGets(requests.urls)).not.toContain(other!.id);
        expect(world.verdict()).toMatchObject({ ok: true, missing: [], stale: [] });
        expect(world.sim.core.meter.totals().limited).toBe(0);
    });

    it('reads every thread with threads.get under a backfill window, which messages.list would cut threads at', async () => {
        const world = mailWorld({ threads: 80 });
        world.store.setMetadata(conn, { backfillDays: 30 });
        const requests = recordRequests();
        expect((await world.sync()).status).toBe('success');
        requests.stop();
        expect(requests.urls.filter((url) => url.pathname === '/gmail/v1/users/me/messages')).toEqual([]);
        expect(messageGets(requests.urls)).toEqual([]);
        expect(threadReads(requests.urls).length).toBe(world.store.liveRecords(conn, 'GmailThread').length);
    });

    it('logs a listing of messages Gmail refuses and reads every thread with threads.get', async () => {
        const world = mailWorld({ threads: 80 });
        server.use(
            http.get('https://gmail.googleapis.com/gmail/v1/users/me/messages', () =>
                HttpResponse.json({ error: { code: 403, message: 'Forbidden', status: 'PERMISSION_DENIED' } }, { status: 403 })
            )
        );
        const requests = recordRequests();
        const result = await world.sync();
        requests.stop();
        expect(result.status).toBe('success');
        expect(result.logs.some((log) => log.level === 'warn' && /Could not learn thread sizes/.test(log.message))).toBe(true);
        expect(messageGets(requests.urls)).toEqual([]);
        expect(world.verdict()).toMatchObject({ ok: true, missing: [] });
    });
});

describe('gmail-threads cut while it learns thread sizes', () => {
    it('ends the run cleanly wherever the cut falls among the first answers, and the next run completes', async () => {
        for (let answers = 1; answers <= 4; answers += 1) {
            const world = mailWorld({ threads: 600 });
            expect((await world.sync({ stopAfterCheckpoints: 3 })).status).toBe('interrupted');
            // A resumed backfill: its first answers are messages.list and threads.list, in either order.
            expect((await world.sync({ stopAfterHttpAnswers: answers })).status).toBe('interrupted');
            expect((await world.sync()).status).toBe('success');
            expect(world.verdict()).toMatchObject({ ok: true, missing: [], stale: [] });
        }
    });
});
