import PostalMime, { type Email } from 'postal-mime';
import { beforeAll, describe, expect, it } from 'vitest';
import { runAction } from '../../runtime/index.js';
import type { ReplyEmailOutput } from '../../models.js';
import type { StoredMessage } from '../../simulators/gmail/index.js';
import { compiledGoogleMail } from './compiled.js';
import { mailWorld, recordRequests, type MailWorld } from './harness.js';

async function stored(id: string): Promise<Email> {
    const answer = (await fetch(`https://gmail.googleapis.com/gmail/v1/users/me/messages/${id}?format=raw`, {
        headers: { authorization: 'Bearer test-access-token' }
    }).then((response) => response.json())) as { raw: string };
    return PostalMime.parse(Buffer.from(answer.raw, 'base64url'));
}

/** A received message with the headers we choose, delivered into the simulated mailbox. */
function deliver(
    world: MailWorld,
    headers: Record<string, string>,
    options: { threadId?: string; fromOwner?: boolean } = {}
): StoredMessage {
    const raw =
        Object.entries({ Date: 'Thu, 15 Jan 2026 11:00:00 +0000', ...headers })
            .map(([name, value]) => `${name}: ${value}`)
            .join('\r\n') + '\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nOriginal body\r\n';
    return world.sim.mailbox.insert({
        threadId: options.threadId,
        internalDate: world.clock.now(),
        labelIds: world.sim.mailbox.labels.intern(options.fromOwner ? ['SENT'] : ['INBOX', 'UNREAD']),
        seed: 0,
        position: 0,
        fromOwner: options.fromOwner ?? false,
        raw,
        rfcMessageId: headers['Message-ID']
    });
}

const addresses = (list: Email['to']) => (list ?? []).map((address) => address.address).sort();

describe('reply-email', () => {
    it('replies in the same thread: one metadata call for the parent, In-Reply-To, References, Re: once, to Reply-To', async () => {
        const world = mailWorld({ threads: 3 });
        const me = world.sim.emailAddress;
        const parent = deliver(world, {
            From: 'Alice Martin <alice@example.com>',
            'Reply-To': '"Support, Team" <support@example.com>',
            To: `Morgan <${me}>`,
            Subject: '=?UTF-8?Q?Caf=C3=A9_order?=',
            'Message-ID': '<order-1@example.com>',
            References: '<root@example.com>'
        });
        const requests = recordRequests();
        const result = await world.action<ReplyEmailOutput>('reply-email', {
            messageId: parent.id,
            text: 'Thanks, confirmed.',
            html: '<p>Thanks, confirmed.</p>'
        });
        requests.stop();
        if (result.status !== 'success') throw new Error(JSON.stringify(result.error));

        expect(result.output.threadId).toBe(parent.threadId);
        expect(world.sim.thread(parent.threadId)!.messages.map((message) => message.id)).toEqual([parent.id, result.output.id]);
        const parentReads = requests.urls.filter((url) => url.pathname.endsWith(`/messages/${parent.id}`));
        expect(parentReads).toHaveLength(1);
        expect(parentReads[0]!.searchParams.get('format')).toBe('metadata');
        expect(parentReads[0]!.searchParams.getAll('metadataHeaders')).toEqual([
            'Subject',
            'From',
            'To',
            'Cc',
            'Reply-To',
            'Message-ID',
            'References'
        ]);
        expect(requests.urls.map((url) => url.pathname).sort()).toEqual(
            ['/gmail/v1/users/me/messages/send', `/gmail/v1/users/me/messages/${parent.id}`, '/gmail/v1/users/me/profile'].sort()
        );

        const reply = await stored(result.output.id);
        expect(reply.subject).toBe('Re: Café order');
        expect(reply.inReplyTo).toBe('<order-1@example.com>');
        expect(reply.references).toBe('<root@example.com> <order-1@example.com>');
        expect(reply.messageId).toBe(result.output.messageId);
        expect(reply.to).toEqual([{ address: 'support@example.com', name: 'Support, Team' }]);
        expect(reply.cc ?? []).toEqual([]);
        expect((reply.text ?? '').trim()).toBe('Thanks, confirmed.');
    });

    it('reply-all adds the To and Cc recipients, without the user and without duplicates; Re: is not doubled', async () => {
        const world = mailWorld({ threads: 3 });
        const me = world.sim.emailAddress;
        const parent = deliver(world, {
            From: 'Alice <alice@example.com>',
            To: `${me.toUpperCase()}, bob@example.com, Alice <alice@example.com>`,
            Cc: 'Carol <carol@example.com>, bob@example.com',
            Subject: 'Re: Planning',
            'Message-ID': '<plan-2@example.com>'
        });
        const result = await world.action<ReplyEmailOutput>('reply-email', { messageId: parent.id, text: 'Works for me', replyAll: true });
        if (result.status !== 'success') throw new Error(JSON.stringify(result.error));
        const reply = await stored(result.output.id);
        expect(reply.subject).toBe('Re: Planning');
        expect(addresses(reply.to)).toEqual(['alice@example.com']);
        expect(addresses(reply.cc)).toEqual(['bob@example.com', 'carol@example.com']);
        expect(world.sim.thread(parent.threadId)!.messages.at(-1)!.id).toBe(result.output.id);
    });

    it('a thread id means its latest message (drafts aside), read with one threads.get metadata call', async () => {
        const world = mailWorld({ threads: 3 });
        const first = deliver(world, {
            From: 'dan@example.com',
            To: world.sim.emailAddress,
            Subject: 'Trip',
            'Message-ID': '<trip-1@example.com>'
        });
        world.clock.advance(60_000);
        const second = deliver(
            world,
            {
                From: 'erin@example.com',
                To: world.sim.emailAddress,
                Subject: 'Re: Trip',
                'Message-ID': '<trip-2@example.com>',
                References: '<trip-1@example.com>'
            },
            { threadId: first.threadId }
        );
        const requests = recordRequests();
        const result = await world.action<ReplyEmailOutput>('reply-email', { threadId: first.threadId, text: 'See you there' });
        requests.stop();
        if (result.status !== 'success') throw new Error(JSON.stringify(result.error));
        expect(requests.urls.filter((url) => url.pathname.includes('/threads/'))).toHaveLength(1);
        const reply = await stored(result.output.id);
        expect(reply.inReplyTo).toBe('<trip-2@example.com>');
        expect(reply.references).toBe('<trip-1@example.com> <trip-2@example.com>');
        expect(addresses(reply.to)).toEqual(['erin@example.com']);
        expect(result.output.threadId).toBe(second.threadId);
    });

    it("replying to one's own message goes to its recipients", async () => {
        const world = mailWorld({ threads: 3 });
        const me = world.sim.emailAddress;
        const parent = deliver(
            world,
            { From: `Morgan <${me}>`, To: 'fay@example.com', Subject: 'Hello', 'Message-ID': '<mine@example.com>' },
            { fromOwner: true }
        );
        const result = await world.action<ReplyEmailOutput>('reply-email', { messageId: parent.id, text: 'Following up' });
        if (result.status !== 'success') throw new Error(JSON.stringify(result.error));
        expect(addresses((await stored(result.output.id)).to)).toEqual(['fay@example.com']);
    });

    it('replies to a seeded message in its thread too', async () => {
        const world = mailWorld({ threads: 10 });
        const thread = [...world.sim.mailbox.threads.values()].find((t) => t.messages.some((m) => !m.fromOwner))!;
        const target = thread.messages.find((message) => !message.fromOwner)!;
        const result = await world.action<ReplyEmailOutput>('reply-email', { messageId: target.id, text: 'ok' });
        if (result.status !== 'success') throw new Error(JSON.stringify(result.error));
        expect(result.output.threadId).toBe(thread.id);
        expect(world.sim.thread(thread.id)!.messages.some((message) => message.id === result.output.id)).toBe(true);
    });

    it('with an idempotencyKey, a retried reply after a lost answer returns the first reply instead of a second one', async () => {
        const world = mailWorld({ threads: 3 });
        const parent = deliver(world, {
            From: 'alice@example.com',
            To: world.sim.emailAddress,
            Subject: 'Q',
            'Message-ID': '<q-1@example.com>'
        });
        const input = { messageId: parent.id, text: 'Answer', idempotencyKey: 'ticket-9-reply-1' };
        world.sim.core.faults.inject('messages.send', { kind: 'drop-response' });
        const lost = await world.action<ReplyEmailOutput>('reply-email', input);
        expect(lost.status).toBe('failed');
        const retried = await world.action<ReplyEmailOutput>('reply-email', input);
        if (retried.status !== 'success') throw new Error(JSON.stringify(retried.error));
        const thread = world.sim.thread(parent.threadId)!;
        expect(thread.messages.map((message) => message.id)).toEqual([parent.id, retried.output.id]);
        expect(world.sim.core.meter.get('messages.send').calls).toBe(1);
        if (lost.status === 'failed') expect(retried.output.messageId).toBe(lost.error.payload['messageId']);
        expect(retried.output.threadId).toBe(parent.threadId);
    });

    it('refuses an id that cannot be a Gmail id before any call, naming the field', async () => {
        const world = mailWorld({ threads: 3 });
        const cases: [unknown, string][] = [
            [{ messageId: 'not-an-id', text: 'x' }, 'messageId'],
            [{ messageId: '', text: 'x' }, 'messageId'],
            [{ messageId: '18f0000000000000/../x', text: 'x' }, 'messageId'],
            [{ threadId: '<order-1@example.com>', text: 'x' }, 'threadId'],
            [{ threadId: '18f00000 00000000', text: 'x' }, 'threadId']
        ];
        const requests = recordRequests();
        for (const [input, field] of cases) {
            const result = await world.action<ReplyEmailOutput>('reply-email', input);
            expect(result.status, JSON.stringify(input)).toBe('failed');
            if (result.status === 'failed') {
                expect(result.error.error_type, JSON.stringify(input)).toBe('action_script_failure');
                expect(result.error.payload, JSON.stringify(input)).toMatchObject({ type: 'invalid_input', field });
            }
        }
        requests.stop();
        expect(requests.urls).toEqual([]);
    });

    it('answers bad targets with ActionErrors naming the field, and sends nothing', async () => {
        const world = mailWorld({ threads: 3 });
        const cases: [unknown, string][] = [
            [{ text: 'x' }, 'messageId'],
            [{ messageId: 'a', threadId: 'b', text: 'x' }, 'messageId'],
            [{ messageId: '18f0000000000000' }, 'text'],
            [{ messageId: '18f0000000000000', text: 'x' }, 'messageId'],
            [{ threadId: '18f0000000000000', text: 'x' }, 'threadId'],
            [
                { messageId: '18f0000000000000', text: 'x', attachments: [{ filename: 'a', mimeType: 'text/plain', content: '%%%' }] },
                'attachments[0].content'
            ]
        ];
        for (const [input, field] of cases) {
            const result = await world.action<ReplyEmailOutput>('reply-email', input);
            expect(result.status, JSON.stringify(input)).toBe('failed');
            if (result.status === 'failed')
                expect(result.error.payload, JSON.stringify(input)).toMatchObject({ type: 'invalid_input', field });
        }
        expect(world.sim.core.meter.get('messages.send').calls).toBe(0);
    });
});

describe('reply-email from the compiled bundle', () => {
    let integrationsDir = '';
    beforeAll(async () => {
        integrationsDir = await compiledGoogleMail();
    }, 120_000);

    it('replies in the thread (crypto for ids, Buffer for encodings), as nango compile builds it', async () => {
        const world = mailWorld({ threads: 3 });
        const parent = [...world.sim.mailbox.messages.values()].find((message) => !message.fromOwner)!;
        const reply = await runAction<ReplyEmailOutput>({
            integration: 'google-mail',
            name: 'reply-email',
            store: world.store,
            clock: world.clock,
            from: 'compiled',
            integrationsDir,
            input: { messageId: parent.id, text: 'thanks' }
        });
        if (reply.status !== 'success') throw new Error(JSON.stringify(reply.error));
        expect(reply.output.threadId).toBe(parent.threadId);
    });
});
