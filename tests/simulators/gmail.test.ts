import type { gmail_v1 } from '@googleapis/gmail';
import PostalMime from 'postal-mime';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../runtime/clock.js';
import { GmailSimulator, gmailUnits } from '../../simulators/gmail/index.js';
import { server } from '../support/msw.js';

const TOKEN = 'test-access-token';
const BASE = 'https://gmail.googleapis.com/gmail/v1/users/me';

type Params = Record<string, string | string[]>;

function query(params: Params): string {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) for (const item of Array.isArray(value) ? value : [value]) search.append(key, item);
    const text = search.toString();
    return text ? `?${text}` : '';
}

async function call(path: string, params: Params = {}, init: RequestInit = {}, token = TOKEN): Promise<Response> {
    return fetch(`${BASE}${path}${query(params)}`, { ...init, headers: { authorization: `Bearer ${token}`, ...(init.headers ?? {}) } });
}

async function ok<T>(path: string, params: Params = {}, init: RequestInit = {}): Promise<T> {
    const response = await call(path, params, init);
    if (response.status !== 200) throw new Error(`${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
}

async function errorOf(
    response: Response
): Promise<{ code: number; message: string; status: string; errors: { reason: string; domain: string }[] }> {
    return (
        (await response.json()) as {
            error: { code: number; message: string; status: string; errors: { reason: string; domain: string }[] };
        }
    ).error;
}

function setup(options: { threads?: number; seed?: number; quota?: boolean } = {}): { sim: GmailSimulator; clock: VirtualClock } {
    const clock = new VirtualClock();
    const sim = new GmailSimulator({
        clock,
        seed: options.seed ?? 11,
        threads: options.threads ?? 60,
        ...(options.quota === false ? { quota: false } : {})
    });
    server.use(...sim.handlers);
    return { sim, clock };
}

async function listAllThreads(params: Params = {}): Promise<{ ids: string[]; pages: number }> {
    const ids: string[] = [];
    let pageToken: string | undefined;
    let pages = 0;
    do {
        const page = await ok<gmail_v1.Schema$ListThreadsResponse>('/threads', { ...params, ...(pageToken ? { pageToken } : {}) });
        pages += 1;
        ids.push(...(page.threads ?? []).map((t) => t.id!));
        pageToken = page.nextPageToken ?? undefined;
    } while (pageToken);
    return { ids, pages };
}

function send(raw: string, threadId?: string): Promise<Response> {
    return call(
        '/messages/send',
        {},
        {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ raw, ...(threadId ? { threadId } : {}) })
        }
    );
}

const b64url = (text: string): string => Buffer.from(text, 'utf8').toString('base64url');

function walk(part: gmail_v1.Schema$MessagePart, visit: (part: gmail_v1.Schema$MessagePart) => void): void {
    visit(part);
    for (const child of part.parts ?? []) walk(child, visit);
}

function header(part: gmail_v1.Schema$MessagePart | undefined, name: string): string | undefined {
    return part?.headers?.find((h) => h.name?.toLowerCase() === name.toLowerCase())?.value ?? undefined;
}

describe('Gmail simulator: profile and lists', () => {
    it('describes the mailbox in getProfile', async () => {
        const { sim } = setup({ threads: 30 });
        const profile = await ok<gmail_v1.Schema$Profile>('/profile');
        expect(profile.emailAddress).toBe(sim.emailAddress);
        expect(profile.historyId).toBe(String(sim.historyId));
        expect(profile.messagesTotal).toBe(sim.mailbox.messages.size);
        // The mailbox's own address is as good as `me`.
        const byAddress = await fetch(`https://gmail.googleapis.com/gmail/v1/users/${sim.emailAddress}/profile`, {
            headers: { authorization: `Bearer ${TOKEN}` }
        });
        expect(byAddress.status).toBe(200);
        const other = await fetch('https://gmail.googleapis.com/gmail/v1/users/someone.else@example.com/profile', {
            headers: { authorization: `Bearer ${TOKEN}` }
        });
        expect(other.status).toBe(403);
    });

    it('pages threads newest first, 100 by default, each visible thread exactly once, SPAM and TRASH left out', async () => {
        const { sim } = setup({ threads: 260 });
        const first = await ok<gmail_v1.Schema$ListThreadsResponse>('/threads');
        expect(first.threads).toHaveLength(100);
        expect(first.threads![0]).toEqual({ id: expect.any(String), snippet: expect.any(String), historyId: expect.any(String) });
        const { ids, pages } = await listAllThreads({ maxResults: '50' });
        const visible = sim.truth('GmailThread').map((t) => t.id);
        expect(new Set(ids).size).toBe(ids.length);
        expect([...ids].sort()).toEqual([...visible].sort());
        expect(pages).toBe(Math.ceil(visible.length / 50));
        expect(first.resultSizeEstimate).toBe(visible.length);
        const hidden = [...sim.mailbox.threads.values()].filter((t) => !sim.mailbox.isVisible(t));
        expect(hidden.length).toBeGreaterThan(0);
        const all = await listAllThreads({ maxResults: '500', includeSpamTrash: 'true' });
        expect(all.ids.length).toBe(sim.mailbox.threads.size);
        // Newest first.
        const latest = (id: string) => Math.max(...sim.thread(id)!.messages.map((m) => m.internalDate));
        expect(ids.map(latest)).toEqual([...ids.map(latest)].sort((a, b) => b - a));
    });

    it('serves at most 500 per page however many are asked', async () => {
        setup({ threads: 700 });
        const page = await ok<gmail_v1.Schema$ListThreadsResponse>('/threads', { maxResults: '2000', includeSpamTrash: 'true' });
        expect(page.threads).toHaveLength(500);
    });

    it('refuses a page token replayed with another query, and unknown parameters', async () => {
        setup();
        const page = await ok<gmail_v1.Schema$ListThreadsResponse>('/threads', { maxResults: '10' });
        const replay = await call('/threads', { maxResults: '10', q: 'after:2025/01/01', pageToken: page.nextPageToken! });
        expect(replay.status).toBe(400);
        expect((await errorOf(replay)).status).toBe('INVALID_ARGUMENT');
        const unknown = await call('/threads', { colour: 'red' });
        expect(unknown.status).toBe(400);
        expect((await errorOf(unknown)).message).toMatch(/Unknown name "colour"/);
    });

    // Google lets list page tokens expire "a reasonable time" after they were handed out, three days as a rule of
    // thumb, without documenting it per API (AIP-158, "Expiring page tokens"); a stale token is INVALID_ARGUMENT.
    it('refuses a threads.list, messages.list or history.list page token older than three days with 400 INVALID_ARGUMENT', async () => {
        const { sim, clock } = setup({ threads: 30 });
        const threads = await ok<gmail_v1.Schema$ListThreadsResponse>('/threads', { maxResults: '10' });
        const messages = await ok<gmail_v1.Schema$ListMessagesResponse>('/messages', { maxResults: '10' });
        const start = String(sim.historyId);
        for (let i = 0; i < 5; i += 1) sim.addThread();
        const history = await ok<gmail_v1.Schema$ListHistoryResponse>('/history', { startHistoryId: start, maxResults: '2' });
        clock.advance(2 * 86_400_000);
        expect((await call('/threads', { maxResults: '10', pageToken: threads.nextPageToken! })).status).toBe(200);
        clock.advance(86_400_000 + 1);
        for (const [path, params] of [
            ['/threads', { maxResults: '10', pageToken: threads.nextPageToken! }],
            ['/messages', { maxResults: '10', pageToken: messages.nextPageToken! }],
            ['/history', { startHistoryId: start, maxResults: '2', pageToken: history.nextPageToken! }]
        ] as const) {
            const stale = await call(path, params);
            expect(stale.status, path).toBe(400);
            expect(await errorOf(stale), path).toMatchObject({ status: 'INVALID_ARGUMENT', message: 'Invalid pageToken' });
        }
    });

    it('filters with q after:/before: (epoch seconds or dates) and with labelIds', async () => {
        const { sim, clock } = setup({ threads: 200 });
        const cut = clock.now() - 90 * 86_400_000;
        const recent = await listAllThreads({ q: `after:${Math.floor(cut / 1000)}`, maxResults: '500' });
        const expected = [...sim.mailbox.threads.values()]
            .filter((t) =>
                t.messages.some(
                    (m) => m.internalDate >= Math.floor(cut / 1000) * 1000 && !m.labelIds.includes('SPAM') && !m.labelIds.includes('TRASH')
                )
            )
            .map((t) => t.id);
        expect(recent.ids.sort()).toEqual(expected.sort());
        expect(recent.ids.length).toBeGreaterThan(0);
        expect(recent.ids.length).toBeLessThan(sim.truth('GmailThread').length);

        const older = await listAllThreads({ q: `before:${Math.floor(cut / 1000)}`, maxResults: '500' });
        expect(older.ids.length).toBeGreaterThan(0);

        // A date is midnight PST (UTC-8), as Gmail documents.
        const day = new Date(cut);
        const dateText = `${day.getUTCFullYear()}/${day.getUTCMonth() + 1}/${day.getUTCDate()}`;
        const boundary = Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate()) + 8 * 3_600_000;
        const byDate = await listAllThreads({ q: `after:${dateText}`, maxResults: '500' });
        const expectedByDate = [...sim.mailbox.threads.values()]
            .filter((t) => t.messages.some((m) => m.internalDate >= boundary && !m.labelIds.some((l) => l === 'SPAM' || l === 'TRASH')))
            .map((t) => t.id);
        expect(byDate.ids.sort()).toEqual(expectedByDate.sort());

        const sent = await listAllThreads({ labelIds: 'SENT', maxResults: '500' });
        expect(sent.ids.every((id) => sim.thread(id)!.messages.some((m) => m.labelIds.includes('SENT')))).toBe(true);
        expect((await call('/threads', { q: 'subject:hello' })).status).toBe(400);
    });

    it('lists messages with their thread ids', async () => {
        const { sim } = setup({ threads: 40 });
        const page = await ok<gmail_v1.Schema$ListMessagesResponse>('/messages', { maxResults: '500', includeSpamTrash: 'true' });
        expect(page.messages).toHaveLength(sim.mailbox.messages.size);
        for (const m of page.messages!) expect(sim.mailbox.messages.get(m.id!)!.threadId).toBe(m.threadId);
    });

    it('leaves the list key out of an empty answer, as Gmail does', async () => {
        setup();
        const empty = await ok<gmail_v1.Schema$ListThreadsResponse>('/threads', { q: 'after:2099/01/01' });
        expect(empty).toEqual({ resultSizeEstimate: 0 });
    });
});

describe('Gmail simulator: threads.get and messages.get', () => {
    it('serves format=full as a MIME tree: decoded headers, part ids, attachments by id, inline images with Content-ID', async () => {
        const { sim } = setup({ threads: 80 });
        let sawAttachment = false;
        let sawInline = false;
        let sawEncodedSubject = false;
        for (const stored of [...sim.mailbox.threads.values()].slice(0, 40)) {
            const thread = await ok<gmail_v1.Schema$Thread>(`/threads/${stored.id}`, { format: 'full' });
            expect(thread.id).toBe(stored.id);
            expect(thread.historyId).toBe(String(stored.historyId));
            expect(thread.messages!.map((m) => m.id)).toEqual(stored.messages.map((m) => m.id));
            for (const message of thread.messages!) {
                expect(message.payload!.partId).toBe('');
                const raw = await ok<gmail_v1.Schema$Message>(`/messages/${message.id}`, { format: 'raw' });
                const parsed = await PostalMime.parse(Buffer.from(raw.raw!, 'base64url'));
                // Header values are decoded (RFC 2047), matching an independent parser.
                expect(header(message.payload, 'Subject')).toBe(parsed.subject);
                if (/=\?/.test(Buffer.from(raw.raw!, 'base64url').toString('latin1').split('\r\n\r\n')[0]!)) sawEncodedSubject = true;
                walk(message.payload!, (part) => {
                    if (part.filename) {
                        expect(part.body!.attachmentId).toBeTruthy();
                        expect(part.body!.data).toBeUndefined();
                        expect(part.body!.size).toBeGreaterThan(0);
                        if (header(part, 'Content-ID')) sawInline = true;
                        else sawAttachment = true;
                    }
                    if (part.parts) expect(part.body).toEqual({ size: 0 });
                    for (const [i, child] of (part.parts ?? []).entries()) {
                        expect(child.partId).toBe(part.partId === '' ? String(i) : `${part.partId}.${i}`);
                    }
                });
                expect(message.sizeEstimate).toBe(Buffer.from(raw.raw!, 'base64url').length);
            }
        }
        expect(sawAttachment && sawInline && sawEncodedSubject).toBe(true);
    });

    it('serves text bodies as base64url of the decoded transfer encoding, still in the part charset', async () => {
        const { sim } = setup({ threads: 80 });
        const charsets = new Set<string>();
        for (const stored of [...sim.mailbox.messages.values()].slice(0, 120)) {
            const full = await ok<gmail_v1.Schema$Message>(`/messages/${stored.id}`);
            const raw = await ok<gmail_v1.Schema$Message>(`/messages/${stored.id}`, { format: 'raw' });
            const parsed = await PostalMime.parse(Buffer.from(raw.raw!, 'base64url'));
            walk(full.payload!, (part) => {
                if (part.mimeType !== 'text/plain' || part.filename) return;
                const charset = /charset="?([^";]+)/i.exec(header(part, 'Content-Type') ?? '')?.[1]?.toLowerCase() ?? 'us-ascii';
                charsets.add(charset);
                const text = new TextDecoder(charset).decode(Buffer.from(part.body!.data!, 'base64url'));
                expect(text.trim()).toBe(parsed.text!.trim());
            });
        }
        expect([...charsets].sort()).toEqual(['iso-8859-1', 'us-ascii', 'utf-8', 'windows-1252']);
    });

    it('serves format=metadata with only the asked headers, and format=minimal without payload', async () => {
        const { sim } = setup();
        const id = sim.truth('GmailThread')[0]!.id;
        const meta = await ok<gmail_v1.Schema$Thread>(`/threads/${id}`, {
            format: 'metadata',
            metadataHeaders: ['Subject', 'from', 'Message-ID']
        });
        for (const message of meta.messages!) {
            expect(message.payload!.parts).toBeUndefined();
            expect(message.payload!.headers!.map((h) => h.name!.toLowerCase()).sort()).toEqual(['from', 'message-id', 'subject']);
        }
        const minimal = await ok<gmail_v1.Schema$Thread>(`/threads/${id}`, { format: 'minimal' });
        for (const message of minimal.messages!) {
            expect(message.payload).toBeUndefined();
            expect(Object.keys(message).sort()).toEqual([
                'historyId',
                'id',
                'internalDate',
                'labelIds',
                'sizeEstimate',
                'snippet',
                'threadId'
            ]);
        }
        expect((await call(`/threads/${id}`, { format: 'raw' })).status).toBe(400);
        expect((await call(`/threads/${id}`, { format: 'everything' })).status).toBe(400);
    });

    it('answers 404 notFound for a thread that does not exist or was deleted, 400 for a malformed id', async () => {
        const { sim } = setup();
        const id = sim.truth('GmailThread')[0]!.id;
        sim.deleteThread(id);
        for (const path of [`/threads/${id}`, '/threads/123456789abcdef0', `/messages/${id}`]) {
            const response = await call(path);
            expect(response.status).toBe(404);
            expect(await errorOf(response)).toEqual({
                code: 404,
                message: 'Requested entity was not found.',
                errors: [{ message: 'Requested entity was not found.', domain: 'global', reason: 'notFound' }],
                status: 'NOT_FOUND'
            });
        }
        expect((await call('/threads/not-an-id!')).status).toBe(400);
    });

    it('serves an attachment by its id', async () => {
        const { sim } = setup({ threads: 60 });
        for (const stored of sim.mailbox.messages.values()) {
            const message = await ok<gmail_v1.Schema$Message>(`/messages/${stored.id}`);
            let attachment: gmail_v1.Schema$MessagePart | undefined;
            walk(message.payload!, (part) => {
                if (part.body?.attachmentId && !attachment) attachment = part;
            });
            if (!attachment) continue;
            const body = await ok<gmail_v1.Schema$MessagePartBody>(`/messages/${stored.id}/attachments/${attachment.body!.attachmentId}`);
            expect(Buffer.from(body.data!, 'base64url').length).toBe(attachment.body!.size);
            expect(body.size).toBe(attachment.body!.size);
            return;
        }
        throw new Error('no attachment in the seeded mailbox');
    });
});

describe('Gmail simulator: history', () => {
    it('lists changes after a start id, filtered by type and label, in pages, with the mailbox historyId', async () => {
        const { sim } = setup();
        const start = sim.historyId;
        const thread = sim.truth('GmailThread')[0]!.id;
        const reply = sim.reply(thread);
        const other = sim.truth('GmailThread')[5]!.id;
        const message = sim.thread(other)!.messages[0]!;
        sim.modifyLabels(message.id, ['STARRED'], []);
        sim.modifyLabels(message.id, [], ['STARRED']);
        const doomed = sim.truth('GmailThread')[8]!.id;
        const doomedMessages = sim.thread(doomed)!.messages.map((m) => m.id);
        sim.deleteThread(doomed);

        const all = await ok<gmail_v1.Schema$ListHistoryResponse>('/history', { startHistoryId: String(start) });
        expect(all.historyId).toBe(String(sim.historyId));
        const ids = all.history!.map((h) => Number(h.id));
        expect(ids).toEqual([...ids].sort((a, b) => a - b));
        expect(ids.every((id) => id > start)).toBe(true);
        expect(all.history![0]!.messagesAdded).toEqual([{ message: { id: reply.id, threadId: thread, labelIds: [...reply.labelIds] } }]);
        expect(all.history![1]!.labelsAdded).toEqual([
            { message: expect.objectContaining({ id: message.id, threadId: other }), labelIds: ['STARRED'] }
        ]);
        expect(all.history![2]!.labelsRemoved).toEqual([{ message: expect.objectContaining({ id: message.id }), labelIds: ['STARRED'] }]);
        expect(all.history!.slice(3).map((h) => h.messagesDeleted![0]!.message!.id)).toEqual(doomedMessages);

        const deletions = await ok<gmail_v1.Schema$ListHistoryResponse>('/history', {
            startHistoryId: String(start),
            historyTypes: 'messageDeleted'
        });
        expect(deletions.history!.every((h) => h.messagesDeleted && !h.messagesAdded)).toBe(true);
        const starred = await ok<gmail_v1.Schema$ListHistoryResponse>('/history', { startHistoryId: String(start), labelId: 'STARRED' });
        expect(starred.history).toHaveLength(2);

        // Paging: one record per page, the same records in the same order.
        const paged: string[] = [];
        let pageToken: string | undefined;
        do {
            const page = await ok<gmail_v1.Schema$ListHistoryResponse>('/history', {
                startHistoryId: String(start),
                maxResults: '1',
                ...(pageToken ? { pageToken } : {})
            });
            paged.push(...page.history!.map((h) => h.id!));
            pageToken = page.nextPageToken ?? undefined;
        } while (pageToken);
        expect(paged).toEqual(all.history!.map((h) => h.id));
    });

    it('answers an empty history (no history key) for the current id or a later one', async () => {
        const { sim } = setup();
        for (const start of [sim.historyId, sim.historyId + 1000]) {
            expect(await ok('/history', { startHistoryId: String(start) })).toEqual({ historyId: String(sim.historyId) });
        }
    });

    it('answers 404 for a start id older than the kept history: after expiry, and past the retention window', async () => {
        const { sim, clock } = setup();
        const start = sim.historyId;
        sim.reply(sim.truth('GmailThread')[0]!.id);
        expect((await call('/history', { startHistoryId: String(start) })).status).toBe(200);
        sim.applyActivity('history-expiry');
        const expired = await call('/history', { startHistoryId: String(start) });
        expect(expired.status).toBe(404);
        expect((await errorOf(expired)).errors[0]!.reason).toBe('notFound');
        expect((await call('/history', { startHistoryId: String(sim.historyId) })).status).toBe(200);

        const later = sim.historyId;
        sim.reply(sim.truth('GmailThread')[1]!.id);
        clock.advance(8 * 86_400_000);
        sim.reply(sim.truth('GmailThread')[2]!.id);
        expect((await call('/history', { startHistoryId: String(later) })).status).toBe(404);
    });

    it('refuses a missing or malformed startHistoryId and an unknown history type', async () => {
        setup();
        expect((await call('/history')).status).toBe(400);
        expect((await call('/history', { startHistoryId: 'abc' })).status).toBe(400);
        expect((await call('/history', { startHistoryId: '1', historyTypes: 'messageMoved' })).status).toBe(400);
    });
});

describe('Gmail simulator: messages.send', () => {
    it('stores a sent message with an id, a Message-ID, the SENT label and a history record', async () => {
        const { sim } = setup();
        const before = sim.historyId;
        const raw = b64url(
            'From: Morgan <morgan.lee@example.com>\r\nTo: "Ana Silva" <ana@example.org>\r\nSubject: =?UTF-8?B?Q2Fmw6k=?=\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nHello there\r\n'
        );
        const response = await send(raw);
        expect(response.status).toBe(200);
        const sent = (await response.json()) as gmail_v1.Schema$Message;
        expect(Object.keys(sent).sort()).toEqual(['id', 'labelIds', 'threadId']);
        expect(sent.labelIds).toEqual(['SENT']);
        expect(sent.threadId).toBe(sent.id);

        const stored = await ok<gmail_v1.Schema$Message>(`/messages/${sent.id}`, { format: 'metadata' });
        expect(header(stored.payload, 'Message-ID')).toMatch(/^<[^<>@\s]+@mail\.gmail\.com>$/);
        expect(header(stored.payload, 'Subject')).toBe('Café');
        expect(header(stored.payload, 'Date')).toBeTruthy();
        expect(stored.sizeEstimate).toBeGreaterThan(0);
        const history = await ok<gmail_v1.Schema$ListHistoryResponse>('/history', { startHistoryId: String(before) });
        expect(history.history).toEqual([
            {
                id: String(sim.historyId),
                messages: [{ id: sent.id, threadId: sent.id }],
                messagesAdded: [{ message: { id: sent.id, threadId: sent.id, labelIds: ['SENT'] } }]
            }
        ]);
        expect(sim.core.meter.get('messages.send')).toEqual({ calls: 1, units: 100, limited: 0 });
    });

    it('finds a message by its Message-ID with q=rfc822msgid:, with or without angle brackets, in SENT and in the seed', async () => {
        const { sim } = setup({ threads: 5 });
        const raw = b64url(
            'From: morgan.lee@example.com\r\nTo: ana@example.org\r\nSubject: Hi\r\nMessage-ID: <idem.abc123@example.com>\r\nContent-Type: text/plain\r\n\r\nHello\r\n'
        );
        const sent = (await (await send(raw)).json()) as gmail_v1.Schema$Message;
        for (const q of ['rfc822msgid:idem.abc123@example.com', 'rfc822msgid:<idem.abc123@example.com>']) {
            const found = await ok<gmail_v1.Schema$ListMessagesResponse>('/messages', { q });
            expect(found.messages).toEqual([{ id: sent.id, threadId: sent.threadId }]);
        }
        expect(
            (await ok<gmail_v1.Schema$ListMessagesResponse>('/messages', { q: 'rfc822msgid:other@example.com' })).messages
        ).toBeUndefined();
        const seeded = [...sim.mailbox.messages.values()][0]!;
        const seededId = sim.mailbox.rfcMessageId(seeded);
        const found = await ok<gmail_v1.Schema$ListMessagesResponse>('/messages', {
            q: `rfc822msgid:${seededId}`,
            includeSpamTrash: 'true'
        });
        expect(found.messages).toEqual([{ id: seeded.id, threadId: seeded.threadId }]);
    });

    it('threads a reply only with threadId, a matching subject and References naming a message of the thread', async () => {
        const { sim } = setup();
        const threadId = sim.truth('GmailThread')[0]!.id;
        const parent = await ok<gmail_v1.Schema$Message>(`/messages/${sim.thread(threadId)!.messages.at(-1)!.id}`, {
            format: 'metadata',
            metadataHeaders: ['Subject', 'Message-ID']
        });
        const subject = header(parent.payload, 'Subject')!.replace(/^Re:\s*/i, '');
        const parentId = header(parent.payload, 'Message-ID')!;
        const reply = (extra: string, subjectLine = `Re: ${subject}`) =>
            b64url(`To: ana@example.org\r\nSubject: ${subjectLine}\r\n${extra}Content-Type: text/plain; charset=UTF-8\r\n\r\nThanks\r\n`);

        const threaded = (await (
            await send(reply(`In-Reply-To: ${parentId}\r\nReferences: ${parentId}\r\n`), threadId)
        ).json()) as gmail_v1.Schema$Message;
        expect(threaded.threadId).toBe(threadId);
        expect(sim.thread(threadId)!.messages.at(-1)!.id).toBe(threaded.id);

        const noRefs = (await (await send(reply(''), threadId)).json()) as gmail_v1.Schema$Message;
        expect(noRefs.threadId).toBe(noRefs.id);
        const otherSubject = (await (
            await send(reply(`References: ${parentId}\r\n`, 'Something else'), threadId)
        ).json()) as gmail_v1.Schema$Message;
        expect(otherSubject.threadId).toBe(otherSubject.id);
        const unknownThread = (await (
            await send(reply(`References: ${parentId}\r\n`), 'abcdef0123456789')
        ).json()) as gmail_v1.Schema$Message;
        expect(unknownThread.threadId).toBe(unknownThread.id);
    });

    it('labels a message sent to oneself INBOX as well', async () => {
        const { sim } = setup();
        const response = await send(b64url(`To: ${sim.emailAddress}\r\nSubject: note to self\r\n\r\nremember\r\n`));
        expect(((await response.json()) as gmail_v1.Schema$Message).labelIds).toEqual(expect.arrayContaining(['SENT', 'INBOX']));
    });

    it('accepts the media upload form with a message/rfc822 body', async () => {
        setup();
        const response = await fetch('https://gmail.googleapis.com/upload/gmail/v1/users/me/messages/send?uploadType=media', {
            method: 'POST',
            headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'message/rfc822' },
            body: 'To: ana@example.org\r\nSubject: upload\r\n\r\nbody\r\n'
        });
        expect(response.status).toBe(200);
    });

    it('threads a reply sent through the multipart upload form, and refuses a JSON body over 5 MB with 413', async () => {
        const { sim } = setup();
        const threadId = sim.truth('GmailThread')[0]!.id;
        const parentStored = sim.thread(threadId)!.messages.at(-1)!;
        const parent = await ok<gmail_v1.Schema$Message>(`/messages/${parentStored.id}`, {
            format: 'metadata',
            metadataHeaders: ['Subject', 'Message-ID']
        });
        const subject = header(parent.payload, 'Subject')!.replace(/^Re:\s*/i, '');
        const message = `To: ana@example.org\r\nSubject: Re: ${subject}\r\nReferences: ${header(parent.payload, 'Message-ID')}\r\n\r\nbig file follows\r\n`;
        const body = `--upload\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n${JSON.stringify({ threadId })}\r\n--upload\r\nContent-Type: message/rfc822\r\n\r\n${message}\r\n--upload--`;
        const response = await fetch('https://gmail.googleapis.com/upload/gmail/v1/users/me/messages/send?uploadType=multipart', {
            method: 'POST',
            headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'multipart/related; boundary=upload' },
            body
        });
        expect(response.status).toBe(200);
        expect(((await response.json()) as gmail_v1.Schema$Message).threadId).toBe(threadId);

        const huge = b64url(`To: ana@example.org\r\nSubject: big\r\n\r\n${'x'.repeat(4_000_000)}\r\n`);
        expect((await send(huge)).status).toBe(413);
    });

    it('refuses malformed raw input with 400 and Gmail wording', async () => {
        setup();
        const cases: [unknown, string][] = [
            [undefined, "'raw' RFC822 payload message string or uploading message via /upload/* URL required"],
            ['not base64 at all!', 'Base64 decoding failed'],
            [b64url('just some words without headers'), 'Recipient address required'],
            [b64url('Subject: hi\r\n\r\nno recipient\r\n'), 'Recipient address required'],
            [b64url('To: not an address\r\nSubject: hi\r\n\r\nbody\r\n'), 'Invalid To header'],
            [b64url('To: ana@example.org\r\nCc: bad@@example\r\nSubject: hi\r\n\r\nbody\r\n'), 'Invalid Cc header']
        ];
        for (const [raw, message] of cases) {
            const response = await call(
                '/messages/send',
                {},
                { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(raw === undefined ? {} : { raw }) }
            );
            expect(response.status).toBe(400);
            const error = await errorOf(response);
            expect(error.message).toContain(message);
            expect(error.status).toBe('INVALID_ARGUMENT');
        }
    });
});

describe('Gmail simulator: label changes, trash and delete through the API', () => {
    const post = (path: string, body?: unknown) =>
        call(
            path,
            {},
            { method: 'POST', headers: { 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) }
        );

    it('modifies labels with history records, refuses unknown and system-only labels', async () => {
        const { sim } = setup();
        const start = sim.historyId;
        const threadId = sim.truth('GmailThread')[0]!.id;
        const message = sim.thread(threadId)!.messages[0]!;
        const response = await post(`/messages/${message.id}/modify`, { addLabelIds: ['STARRED', 'Label_3'], removeLabelIds: ['UNREAD'] });
        expect(response.status).toBe(200);
        expect(((await response.json()) as gmail_v1.Schema$Message).labelIds).toEqual(expect.arrayContaining(['STARRED', 'Label_3']));
        const history = await ok<gmail_v1.Schema$ListHistoryResponse>('/history', {
            startHistoryId: String(start),
            historyTypes: 'labelAdded'
        });
        expect(history.history![0]!.labelsAdded![0]!.labelIds).toEqual(['STARRED', 'Label_3']);
        expect(sim.truth('GmailThread').find((t) => t.id === threadId)!.version).toBe(String(sim.historyId));
        expect((await post(`/messages/${message.id}/modify`, { addLabelIds: ['Label_99'] })).status).toBe(400);
        expect((await post(`/messages/${message.id}/modify`, { removeLabelIds: ['SENT'] })).status).toBe(400);
        const thread = await post(`/threads/${threadId}/modify`, { addLabelIds: ['IMPORTANT'] });
        expect(((await thread.json()) as gmail_v1.Schema$Thread).messages!.every((m) => m.labelIds!.includes('IMPORTANT'))).toBe(true);
    });

    it('hides a trashed thread from lists and the truth, brings it back on untrash, and deletes for good', async () => {
        const { sim } = setup();
        const threadId = sim.truth('GmailThread')[0]!.id;
        expect((await post(`/threads/${threadId}/trash`)).status).toBe(200);
        expect(sim.truth('GmailThread').some((t) => t.id === threadId)).toBe(false);
        expect((await listAllThreads({ maxResults: '500' })).ids).not.toContain(threadId);
        expect((await listAllThreads({ maxResults: '500', labelIds: 'TRASH' })).ids).toContain(threadId);
        // threads.get still serves it, with every message in TRASH.
        const trashed = await ok<gmail_v1.Schema$Thread>(`/threads/${threadId}`, { format: 'minimal' });
        expect(trashed.messages!.every((m) => m.labelIds!.includes('TRASH'))).toBe(true);
        expect((await post(`/threads/${threadId}/untrash`)).status).toBe(200);
        expect(sim.truth('GmailThread').some((t) => t.id === threadId)).toBe(true);

        const start = sim.historyId;
        const del = await call(`/threads/${threadId}`, {}, { method: 'DELETE' });
        expect(del.status).toBe(204);
        expect((await call(`/threads/${threadId}`)).status).toBe(404);
        const history = await ok<gmail_v1.Schema$ListHistoryResponse>('/history', { startHistoryId: String(start) });
        expect(history.history!.every((h) => h.messagesDeleted?.[0]?.message?.threadId === threadId)).toBe(true);
        expect(sim.core.meter.get('threads.delete').units).toBe(20);
    });
});

describe('Gmail simulator: auth, quota, faults', () => {
    it('answers 401 UNAUTHENTICATED with reason authError to a wrong token, without spending quota', async () => {
        const { sim } = setup();
        const response = await call('/profile', {}, {}, 'expired-token');
        expect(response.status).toBe(401);
        const error = await errorOf(response);
        expect(error.status).toBe('UNAUTHENTICATED');
        expect(error.errors[0]!.reason).toBe('authError');
        expect(sim.core.meter.totals().units).toBe(0);
    });

    it('meters units per method and answers 429 with Retry-After past 15,000 units a minute, then recovers', async () => {
        const { sim, clock } = setup();
        const id = sim.truth('GmailThread')[0]!.id;
        await ok(`/threads/${id}`, { format: 'minimal' });
        await ok('/history', { startHistoryId: String(sim.historyId) });
        expect(sim.core.meter.get('threads.get').units).toBe(gmailUnits['threads.get']);
        expect(sim.core.meter.get('history.list').units).toBe(2);
        await ok('/profile');
        expect(sim.core.meter.totals().units).toBe(13);
        // Spend the rest of the minute's allowance directly on the limiter (1,500 real calls would only add run time).
        expect(sim.core.limit.tryConsume(15_000 - 13 - 5, clock.now()).ok).toBe(true);
        const limited = await call(`/threads/${id}`, { format: 'minimal' });
        expect(limited.status).toBe(429);
        expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
        const error = await errorOf(limited);
        expect(error.status).toBe('RESOURCE_EXHAUSTED');
        expect(error.errors[0]).toMatchObject({ domain: 'usageLimits', reason: 'userRateLimitExceeded' });
        // Cheaper calls still fit in what is left.
        expect((await call('/profile')).status).toBe(200);
        clock.advance(Number(limited.headers.get('retry-after')) * 1000);
        expect((await call(`/threads/${id}`, { format: 'minimal' })).status).toBe(200);
    });

    it('fails the next calls to a method with an injected fault and recovers', async () => {
        const { sim } = setup();
        sim.core.faults.inject('threads.list', { kind: 'status', status: 500 }, 2);
        sim.core.faults.inject('getProfile', { kind: 'status', status: 429, retryAfterSeconds: 7 });
        expect((await call('/threads')).status).toBe(500);
        expect((await errorOf(await call('/threads'))).errors[0]!.reason).toBe('backendError');
        expect((await call('/threads')).status).toBe(200);
        const limited = await call('/profile');
        expect(limited.status).toBe(429);
        expect(limited.headers.get('retry-after')).toBe('7');
        sim.core.faults.inject('messages.send', { kind: 'drop-response' });
        const before = sim.mailbox.messages.size;
        await expect(send(b64url('To: ana@example.org\r\nSubject: x\r\n\r\ny\r\n'))).rejects.toThrow();
        // The send happened although the client saw a network error.
        expect(sim.mailbox.messages.size).toBe(before + 1);
    });
});

describe('Gmail simulator: batch', () => {
    function batchBody(calls: string[], boundary = 'batch_test'): string {
        return (
            calls
                .map((call, i) => `--${boundary}\r\nContent-Type: application/http\r\nContent-ID: <item${i}>\r\n\r\n${call}\r\n`)
                .join('') + `--${boundary}--\r\n`
        );
    }

    async function batch(
        calls: string[],
        token = TOKEN
    ): Promise<{ status: number; parts: { contentId: string; status: number; body: unknown; retryAfter?: string }[] }> {
        const response = await fetch('https://gmail.googleapis.com/batch/gmail/v1', {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'multipart/mixed; boundary=batch_test' },
            body: batchBody(calls)
        });
        if (response.status !== 200) return { status: response.status, parts: [] };
        const boundary = /boundary=([^;]+)/.exec(response.headers.get('content-type') ?? '')![1]!;
        const text = await response.text();
        const parts = text
            .split(`--${boundary}`)
            .slice(1, -1)
            .map((chunk) => {
                const [outerHead, statusLine, ...rest] = chunk.trim().split(/\r\n\r\n|\r\n(?=HTTP\/1\.1)/);
                const [line, ...innerHeaders] = statusLine!.split('\r\n');
                const retryAfter = innerHeaders
                    .find((h) => h.toLowerCase().startsWith('retry-after:'))
                    ?.split(':')[1]
                    ?.trim();
                const bodyText = rest.join('\r\n\r\n');
                return {
                    contentId: /Content-ID: <([^>]+)>/.exec(outerHead!)![1]!,
                    status: Number(line!.split(' ')[1]),
                    body: bodyText ? (JSON.parse(bodyText) as unknown) : undefined,
                    ...(retryAfter ? { retryAfter } : {})
                };
            });
        return { status: response.status, parts };
    }

    it('answers each inner call with its own status, in order, metering each call with its own units', async () => {
        const { sim } = setup();
        const [a, b] = sim.truth('GmailThread');
        const result = await batch([
            `GET /gmail/v1/users/me/threads/${a!.id}?format=minimal`,
            `GET /gmail/v1/users/me/threads/${b!.id}?format=metadata&metadataHeaders=Subject HTTP/1.1`,
            'GET /gmail/v1/users/me/threads/0123456789abcdef',
            'GET /gmail/v1/users/me/profile'
        ]);
        expect(result.status).toBe(200);
        expect(result.parts.map((p) => [p.contentId, p.status])).toEqual([
            ['response-item0', 200],
            ['response-item1', 200],
            ['response-item2', 404],
            ['response-item3', 200]
        ]);
        expect((result.parts[0]!.body as gmail_v1.Schema$Thread).id).toBe(a!.id);
        expect((result.parts[3]!.body as gmail_v1.Schema$Profile).emailAddress).toBe(sim.emailAddress);
        expect(sim.core.meter.get('threads.get')).toEqual({ calls: 3, units: 30, limited: 0 });
        expect(sim.core.meter.get('getProfile').units).toBe(1);
    });

    it('lets an inner call override the outer Authorization, and refuses more than 100 calls', async () => {
        const { sim } = setup();
        const id = sim.truth('GmailThread')[0]!.id;
        const result = await batch([
            `GET /gmail/v1/users/me/threads/${id}\r\nAuthorization: Bearer wrong`,
            `GET /gmail/v1/users/me/threads/${id}`
        ]);
        expect(result.parts.map((p) => p.status)).toEqual([401, 200]);
        const tooMany = await batch(Array.from({ length: 101 }, () => 'GET /gmail/v1/users/me/profile'));
        expect(tooMany.status).toBe(400);
        expect(sim.core.meter.get('getProfile').calls).toBe(0);
    });

    it('answers 429 inside a 200 for the calls past the quota', async () => {
        const { sim, clock } = setup();
        const id = sim.truth('GmailThread')[0]!.id;
        expect(sim.core.limit.tryConsume(15_000 - 25, clock.now()).ok).toBe(true);
        const result = await batch(Array.from({ length: 4 }, () => `GET /gmail/v1/users/me/threads/${id}?format=minimal`));
        expect(result.status).toBe(200);
        expect(result.parts.map((p) => p.status).sort()).toEqual([200, 200, 429, 429]);
        expect(result.parts.find((p) => p.status === 429)!.retryAfter).toBeDefined();
    });
});

describe('Gmail simulator: data, truth, activities, snapshots', () => {
    it('generates the same mailbox from the same seed, a different one from another', () => {
        const a = new GmailSimulator({ clock: new VirtualClock(), seed: 4, threads: 30 });
        const b = new GmailSimulator({ clock: new VirtualClock(), seed: 4, threads: 30 });
        const c = new GmailSimulator({ clock: new VirtualClock(), seed: 5, threads: 30 });
        expect(a.snapshot()).toEqual(b.snapshot());
        expect(a.truth('GmailThread')).not.toEqual(c.truth('GmailThread'));
    });

    it('writes Date headers in varied sender offsets that name the same instant as internalDate', async () => {
        const { sim } = setup();
        const offsets = new Set<string>();
        for (const stored of [...sim.mailbox.messages.values()].slice(0, 40)) {
            const message = await ok<gmail_v1.Schema$Message>(`/messages/${stored.id}`, { format: 'metadata', metadataHeaders: 'Date' });
            const date = header(message.payload, 'Date')!;
            offsets.add(date.slice(-5));
            expect(new Date(date).getTime()).toBe(Math.floor(Number(message.internalDate) / 1000) * 1000);
        }
        expect(offsets.size).toBeGreaterThan(2);
    });

    it("keeps a thread's historyId at the last change of any of its messages", () => {
        const { sim } = setup();
        for (const thread of sim.mailbox.threads.values()) {
            expect(thread.historyId).toBe(Math.max(...thread.messages.map((m) => m.historyId)));
        }
        const [first] = sim.truth('GmailThread');
        const thread = sim.thread(first!.id)!;
        sim.modifyLabels(thread.messages[0]!.id, ['Label_2'], []);
        expect(thread.historyId).toBe(sim.historyId);
        expect(sim.truth('GmailThread').find((t) => t.id === thread.id)!.version).toBe(String(sim.historyId));
        expect(sim.versionOf('GmailThread', { historyId: '42' })).toBe('42');
    });

    it('adds a thread of several messages through addThread, each message replying to the one before', async () => {
        const { sim } = setup();
        const before = sim.truth('GmailThread').length;
        const thread = sim.addThread({ messages: 3 });
        expect(sim.truth('GmailThread')).toHaveLength(before + 1);
        expect(thread.messages).toHaveLength(3);
        expect(thread.historyId).toBe(sim.historyId);
        const got = await ok<gmail_v1.Schema$Thread>(`/threads/${thread.id}`, {
            format: 'metadata',
            metadataHeaders: ['Message-ID', 'In-Reply-To', 'From']
        });
        const [first, second, third] = got.messages!;
        expect(header(second!.payload, 'In-Reply-To')).toBe(header(first!.payload, 'Message-ID'));
        expect(header(third!.payload, 'In-Reply-To')).toBe(header(second!.payload, 'Message-ID'));
        expect(header(second!.payload, 'From')).toContain(sim.emailAddress);
    });

    it('spends the configured latency on the virtual clock, once for the calls of a batch', async () => {
        const clock = new VirtualClock();
        const sim = new GmailSimulator({ clock, threads: 5, latencyMs: 100 });
        server.use(...sim.handlers);
        const start = clock.now();
        await ok('/profile');
        expect(clock.now() - start).toBe(100);
        const calls = ['GET /gmail/v1/users/me/profile', 'GET /gmail/v1/users/me/labels', 'GET /gmail/v1/users/me/profile'];
        const body = calls.map((c) => `--b\r\nContent-Type: application/http\r\n\r\n${c}\r\n`).join('') + '--b--\r\n';
        const response = await fetch('https://gmail.googleapis.com/batch/gmail/v1', {
            method: 'POST',
            headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'multipart/mixed; boundary=b' },
            body
        });
        expect(response.status).toBe(200);
        expect(clock.now() - start).toBe(200);
    });

    it('changes the truth as each activity says', () => {
        const { sim } = setup({ threads: 40 });
        const truth = () => new Map(sim.truth('GmailThread').map((t) => [t.id, t.version]));
        const start = truth();
        sim.applyActivity('new-mail');
        const afterMail = truth();
        expect(afterMail.size).toBe(start.size + 3);
        expect([...afterMail].filter(([id, v]) => start.has(id) && start.get(id) !== v)).toHaveLength(3);
        sim.applyActivity('label-changes');
        sim.applyActivity('delete-messages');
        expect(truth().size).toBe(afterMail.size - 2);
        sim.applyActivity('trash');
        expect(truth().size).toBe(afterMail.size - 4);
        expect(() => sim.applyActivity('earthquake')).toThrow(/unknown Gmail activity/);
    });

    it('restores a snapshot into an equal simulator that renders the same messages', async () => {
        const clock = new VirtualClock();
        const original = new GmailSimulator({ clock, seed: 8, threads: 25 });
        original.applyActivity('new-mail');
        original.applyActivity('delete-messages');
        server.use(...original.handlers);
        await send(b64url('To: ana@example.org\r\nSubject: kept\r\n\r\nbody\r\n'));
        const id = original.truth('GmailThread')[0]!.id;
        const before = await ok<gmail_v1.Schema$Thread>(`/threads/${id}`);
        const restored = GmailSimulator.restore(JSON.parse(JSON.stringify(original.snapshot())), { clock });
        expect(restored.snapshot()).toEqual(original.snapshot());
        expect(restored.truth('GmailThread')).toEqual(original.truth('GmailThread'));
        server.resetHandlers(...restored.handlers);
        expect(await ok<gmail_v1.Schema$Thread>(`/threads/${id}`)).toEqual(before);
        const history = await ok<gmail_v1.Schema$ListHistoryResponse>('/history', { startHistoryId: String(restored.historyId - 1) });
        expect(history.historyId).toBe(String(original.historyId));
    });
});
