import fc from 'fast-check';
import PostalMime, { type Email } from 'postal-mime';
import { beforeAll, describe, expect, it } from 'vitest';
import { runAction } from '../../runtime/index.js';
import { ActionError } from '@nangohq/runner-sdk';
import { SendEmailInput as SendEmailInputSchema, type SendEmailInput, type SendEmailOutput } from '../../models.js';
import { parseInput } from '../../nango-integrations/shared/input.js';
import { compiledGoogleMail } from './compiled.js';
import { mailWorld, recordRequests, type MailWorld } from './harness.js';

const OWNER_DOMAIN_ID = /^<[0-9a-z]+\.[0-9a-f]{24}@[^>]+>$/;

/** The message as Gmail stored it (format=raw), parsed by postal-mime. */
async function stored(id: string): Promise<{ raw: string; email: Email }> {
    const answer = (await fetch(`https://gmail.googleapis.com/gmail/v1/users/me/messages/${id}?format=raw`, {
        headers: { authorization: 'Bearer test-access-token' }
    }).then((response) => response.json())) as { raw: string };
    const raw = Buffer.from(answer.raw, 'base64url').toString('latin1');
    return { raw, email: await PostalMime.parse(Buffer.from(answer.raw, 'base64url')) };
}

const body = (text: string | undefined) => (text ?? '').replace(/\r\n/g, '\n').replace(/\n+$/, '');

type Failure = { error_type: string; payload: Record<string, unknown> };

async function sendFails(world: MailWorld, input: unknown): Promise<Failure> {
    const result = await world.action<SendEmailOutput>('send-email', input);
    if (result.status !== 'failed') throw new Error(`expected a failure, got ${JSON.stringify(result)}`);
    return result.error as unknown as Failure;
}

describe('send-email', () => {
    it('sends text, HTML and attachments; the stored message reads back field by field', async () => {
        const world = mailWorld({ threads: 5 });
        const pdf = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7) % 256));
        const input: SendEmailInput = {
            to: [
                { email: 'john@example.com', name: 'John Smith' },
                { email: 'ana@example.org', name: 'Ana Muñoz' }
            ],
            cc: [{ email: 'carol@example.net' }],
            bcc: [{ email: 'hidden@example.net' }],
            replyTo: { email: 'replies@example.com', name: 'Replies, Team' },
            subject: 'Quarterly numbers — Größe 📈',
            text: 'Hello John,\n\nthe numbers are attached.\nÀ bientôt',
            html: '<p>Hello John,</p><p>the numbers are attached.</p>',
            attachments: [
                { filename: 'Q1 report.pdf', mimeType: 'application/pdf', content: pdf.toString('base64') },
                { filename: 'notes-é.txt', mimeType: 'text/plain', content: Buffer.from('remember').toString('base64url') }
            ]
        };
        const result = await world.action<SendEmailOutput>('send-email', input);
        if (result.status !== 'success') throw new Error(JSON.stringify(result.error));
        expect(result.output.labelIds).toContain('SENT');
        expect(result.output.messageId).toMatch(OWNER_DOMAIN_ID);
        // No `from` given: the Message-ID takes the account's domain, read with getProfile.
        expect(result.output.messageId.endsWith(`@${world.sim.emailAddress.split('@')[1]}>`)).toBe(true);

        const { raw, email } = await stored(result.output.id);
        expect(raw).toMatch(/^[\x20-\x7e\r\n\t]*$/);
        expect(email.messageId).toBe(result.output.messageId);
        expect(email.subject).toBe(input.subject);
        expect(email.to).toEqual([
            { address: 'john@example.com', name: 'John Smith' },
            { address: 'ana@example.org', name: 'Ana Muñoz' }
        ]);
        expect(email.cc).toEqual([{ address: 'carol@example.net', name: '' }]);
        expect(email.replyTo).toEqual([{ address: 'replies@example.com', name: 'Replies, Team' }]);
        expect(email.from?.address).toBe(world.sim.emailAddress);
        expect(body(email.text)).toBe(input.text);
        expect(body(email.html)).toBe(input.html);
        expect(email.attachments.map((a) => [a.filename, a.mimeType])).toEqual([
            ['Q1 report.pdf', 'application/pdf'],
            ['notes-é.txt', 'text/plain']
        ]);
        expect(Buffer.from(email.attachments[0]!.content as ArrayBuffer)).toEqual(pdf);
        expect(Buffer.from(email.attachments[1]!.content as ArrayBuffer).toString()).toBe('remember');
    });

    it('uses the given sender for From and for the Message-ID domain, without a getProfile call', async () => {
        const world = mailWorld({ threads: 2 });
        const requests = recordRequests();
        const result = await world.action<SendEmailOutput>('send-email', {
            from: { email: world.sim.emailAddress, name: 'Me Myself' },
            to: [{ email: 'x@example.com' }],
            subject: 'hi',
            text: 'hi'
        });
        requests.stop();
        if (result.status !== 'success') throw new Error(JSON.stringify(result.error));
        expect(requests.urls.map((url) => url.pathname)).toEqual(['/gmail/v1/users/me/messages/send']);
        expect((await stored(result.output.id)).email.from).toEqual({ address: world.sim.emailAddress, name: 'Me Myself' });
    });

    it('sends a large message through the upload URI (the JSON endpoint refuses bodies over 5 MB)', async () => {
        const world = mailWorld({ threads: 2 });
        const big = Buffer.alloc(6 * 1024 * 1024, 0x41);
        const requests = recordRequests();
        const result = await world.action<SendEmailOutput>('send-email', {
            to: [{ email: 'x@example.com' }],
            subject: 'big file',
            text: 'attached',
            attachments: [{ filename: 'big.bin', mimeType: 'application/octet-stream', content: big.toString('base64') }]
        });
        requests.stop();
        if (result.status !== 'success') throw new Error(JSON.stringify(result.error));
        const send = requests.urls.find((url) => url.pathname.endsWith('/messages/send'))!;
        expect(send.pathname).toBe('/upload/gmail/v1/users/me/messages/send');
        expect(send.searchParams.get('uploadType')).toBe('multipart');
        const { email } = await stored(result.output.id);
        expect(Buffer.from(email.attachments[0]!.content as ArrayBuffer).equals(big)).toBe(true);
    });

    it('answers bad input with an ActionError naming the field, before any call', async () => {
        const world = mailWorld({ threads: 2 });
        const ok = { to: [{ email: 'x@example.com' }], subject: 's', text: 't' };
        const cases: [unknown, string][] = [
            [{ ...ok, to: [] }, 'to'],
            [{ ...ok, to: [{ email: 'not an address' }] }, 'to[0].email'],
            [{ ...ok, cc: [{ email: 'ok@example.com' }, { email: 'bad@' }] }, 'cc[1].email'],
            [{ ...ok, subject: 'Hello\r\nBcc: everyone@example.com' }, 'subject'],
            [{ ...ok, to: [{ email: 'x@example.com', name: 'X\nY' }] }, 'to[0].name'],
            [{ ...ok, replyTo: { email: 'r@example.com\r\n' } }, 'replyTo.email'],
            [{ ...ok, text: undefined }, 'text'],
            [{ ...ok, attachments: [{ filename: 'a.txt', mimeType: 'text/plain', content: 'not base64!' }] }, 'attachments[0].content'],
            [{ ...ok, attachments: [{ filename: 'a\r\n.txt', mimeType: 'text/plain', content: 'AAAA' }] }, 'attachments[0].filename'],
            [{ ...ok, attachments: [{ filename: 'a.txt', mimeType: 'text', content: 'AAAA' }] }, 'attachments[0].mimeType']
        ];
        for (const [input, field] of cases) {
            const failure = await sendFails(world, input);
            expect(failure.error_type, field).toBe('action_script_failure');
            expect(failure.payload, JSON.stringify(input)).toMatchObject({ type: 'invalid_input', field });
        }
        expect(world.sim.core.meter.totals().calls).toBe(0);
    });

    it('refuses control characters in header-bound fields (subject, names), naming the field, before any call', async () => {
        const world = mailWorld({ threads: 2 });
        const ok = { to: [{ email: 'x@example.com' }], subject: 's', text: 't' };
        const cases: [unknown, string][] = [
            [{ ...ok, subject: 'Invoice\u0007' }, 'subject'],
            [{ ...ok, subject: 'a\u001bb' }, 'subject'],
            [{ ...ok, subject: 'del\u007f' }, 'subject'],
            [{ ...ok, subject: 'c1\u0085' }, 'subject'],
            [{ ...ok, to: [{ email: 'x@example.com', name: 'X\u0008' }] }, 'to[0].name'],
            [{ ...ok, from: { email: 'f@example.com', name: '\u000bF' } }, 'from.name'],
            [{ ...ok, attachments: [{ filename: 'a\u0001.txt', mimeType: 'text/plain', content: 'AAAA' }] }, 'attachments[0].filename']
        ];
        for (const [input, field] of cases) {
            const failure = await sendFails(world, input);
            expect(failure.payload, JSON.stringify(input)).toMatchObject({ type: 'invalid_input', field });
        }
        expect(world.sim.core.meter.totals().calls).toBe(0);
        // A tab is white space in a header (RFC 5322 WSP), not a control to refuse.
        expect((await world.action('send-email', { ...ok, subject: 'a\tb' })).status).toBe('success');
    });

    it('parses its input itself (Nango does not validate it in production), naming the field of a schema mismatch', () => {
        const nango = { ActionError } as unknown as Parameters<typeof parseInput>[0];
        const fieldOf = (input: unknown) => {
            try {
                parseInput(nango, SendEmailInputSchema, input);
            } catch (error) {
                return (error as ActionError).payload?.['field'];
            }
            return null;
        };
        expect(fieldOf({ subject: 's', text: 't' })).toBe('to');
        expect(fieldOf({ to: [{ email: 'a@b.co' }], subject: 42, text: 't' })).toBe('subject');
        expect(fieldOf({ to: [{ email: 'a@b.co' }, { name: 'x' }], subject: 's' })).toBe('to[1].email');
        expect(fieldOf({ to: [{ email: 'a@b.co' }], subject: 's', attachments: [{ filename: 'f', mimeType: 'a/b' }] })).toBe(
            'attachments[0].content'
        );
        expect(fieldOf({ to: [{ email: 'a@b.co' }], subject: 's', text: 't', idempotencyKey: '' })).toBe('idempotencyKey');
        expect(fieldOf({ to: [{ email: 'a@b.co' }], subject: 's', text: 't' })).toBeNull();
    });

    it("refuses attachments over Gmail's 25 MB message limit", async () => {
        const world = mailWorld({ threads: 2 });
        const failure = await sendFails(world, {
            to: [{ email: 'x@example.com' }],
            subject: 'too big',
            text: 't',
            attachments: [
                { filename: 'huge.bin', mimeType: 'application/octet-stream', content: Buffer.alloc(19 * 1024 * 1024).toString('base64') }
            ]
        });
        expect(failure.payload).toMatchObject({ type: 'invalid_input', field: 'attachments' });
        expect(world.sim.core.meter.get('messages.send').calls).toBe(0);
    });

    it('never retries a send whose outcome is unknown, and returns the Message-ID to look for', async () => {
        const world = mailWorld({ threads: 2 });
        // The send reaches Gmail and is applied, then the answer is lost.
        world.sim.core.faults.inject('messages.send', { kind: 'drop-response' });
        const failure = await sendFails(world, { to: [{ email: 'x@example.com' }], subject: 'once', text: 'only once' });
        expect(failure.payload).toMatchObject({ type: 'send_outcome_unknown', messageId: expect.stringMatching(OWNER_DOMAIN_ID) });
        expect(world.sim.core.meter.get('messages.send').calls).toBe(1);
        const sent = [...world.sim.mailbox.messages.values()].filter((message) => message.rfcMessageId === failure.payload['messageId']);
        expect(sent).toHaveLength(1);

        world.sim.core.faults.inject('messages.send', { kind: 'status', status: 503 });
        const unavailable = await sendFails(world, { to: [{ email: 'x@example.com' }], subject: 'once', text: 'again' });
        expect(unavailable.payload).toMatchObject({ type: 'send_outcome_unknown' });
        expect(world.sim.core.meter.get('messages.send').calls).toBe(2);
    });

    it('with an idempotencyKey, a retry after a lost answer returns the first message instead of sending it twice', async () => {
        const world = mailWorld({ threads: 2 });
        const input = { to: [{ email: 'x@example.com' }], subject: 'keyed', text: 'only once', idempotencyKey: 'order-4711-confirmation' };
        world.sim.core.faults.inject('messages.send', { kind: 'drop-response' });
        const lost = await sendFails(world, input);
        expect(lost.payload).toMatchObject({ type: 'send_outcome_unknown' });
        const retried = await world.action<SendEmailOutput>('send-email', input);
        if (retried.status !== 'success') throw new Error(JSON.stringify(retried.error));
        const sent = [...world.sim.mailbox.messages.values()].filter((message) => message.rfcMessageId === lost.payload['messageId']);
        expect(sent).toHaveLength(1);
        expect(world.sim.core.meter.get('messages.send').calls).toBe(1);
        expect(retried.output).toEqual({
            id: sent[0]!.id,
            threadId: sent[0]!.threadId,
            labelIds: ['SENT'],
            messageId: lost.payload['messageId']
        });
        expect(retried.logs.some((log) => /already sent/.test(log.message))).toBe(true);

        // A third call, after a clean answer, still finds the one message.
        const again = await world.action<SendEmailOutput>('send-email', input);
        expect(again).toMatchObject({ status: 'success', output: retried.output });
        expect(world.sim.core.meter.get('messages.send').calls).toBe(1);
    });

    it("derives the Message-ID from the key and the sender's domain; another key sends another message", async () => {
        const world = mailWorld({ threads: 2 });
        const input = { from: { email: 'me@example.org' }, to: [{ email: 'x@example.com' }], subject: 'k', text: 't' };
        const first = await world.action<SendEmailOutput>('send-email', { ...input, idempotencyKey: 'a' });
        const second = await world.action<SendEmailOutput>('send-email', { ...input, idempotencyKey: 'b' });
        if (first.status !== 'success' || second.status !== 'success') throw new Error('send failed');
        expect(first.output.messageId).toMatch(/^<[0-9a-z.]+@example\.org>$/);
        expect(second.output.messageId).not.toBe(first.output.messageId);
        expect(second.output.id).not.toBe(first.output.id);
        expect(world.sim.core.meter.get('messages.send').calls).toBe(2);
    });

    it('without an idempotencyKey, a retry after a lost answer sends a second message (as documented)', async () => {
        const world = mailWorld({ threads: 2 });
        const input = { to: [{ email: 'x@example.com' }], subject: 'unkeyed', text: 'twice' };
        world.sim.core.faults.inject('messages.send', { kind: 'drop-response' });
        await sendFails(world, input);
        expect((await world.action<SendEmailOutput>('send-email', input)).status).toBe('success');
        expect(world.sim.core.meter.get('messages.send').calls).toBe(2);
        expect(world.sim.core.meter.get('messages.list').calls).toBe(0);
    });

    it('reports a refused send as send_failed, retryable when it was a rate limit', async () => {
        const world = mailWorld({ threads: 2 });
        world.sim.core.faults.inject('messages.send', {
            kind: 'status',
            status: 429,
            retryAfterSeconds: 5,
            reason: 'userRateLimitExceeded'
        });
        const limited = await sendFails(world, { to: [{ email: 'x@example.com' }], subject: 's', text: 't' });
        expect(limited.payload).toMatchObject({ type: 'send_failed', status: 429, retryable: true });
        expect(world.sim.core.meter.get('messages.send').calls).toBe(1);
    });

    it('property: any Unicode subject, names and body arrive intact at the simulator, which parses them itself', async () => {
        const world = mailWorld({ threads: 1, quota: false });
        // Header text refuses C0 controls but TAB, DEL and C1 controls.
        const text = (max: number) =>
            // eslint-disable-next-line no-control-regex -- the controls are what is filtered out
            fc.string({ unit: 'binary', maxLength: max }).filter((value) => !/[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/.test(value));
        await fc.assert(
            fc.asyncProperty(
                text(60),
                text(30),
                fc.string({ unit: 'binary', maxLength: 200 }).filter((v) => !v.includes('\0')),
                async (subject, name, content) => {
                    const result = await world.action<SendEmailOutput>('send-email', {
                        from: { email: world.sim.emailAddress },
                        to: [{ email: 'prop@example.com', ...(name.trim() ? { name } : {}) }],
                        subject,
                        text: content
                    });
                    if (result.status !== 'success') throw new Error(JSON.stringify(result.error));
                    const { email } = await stored(result.output.id);
                    const squash = (value: string) => value.replace(/[\t ]+/g, ' ').trim();
                    expect(squash(email.subject ?? '')).toBe(squash(subject));
                    if (name.trim()) expect(squash(email.to?.[0]?.name ?? '')).toBe(squash(name));
                    expect(body(email.text)).toBe(content.replace(/\r\n|\r/g, '\n').replace(/\n+$/, ''));
                }
            ),
            { numRuns: 40 }
        );
    });
});

describe('send-email from the compiled bundle', () => {
    let integrationsDir = '';
    beforeAll(async () => {
        integrationsDir = await compiledGoogleMail();
    }, 120_000);

    it('sends through the simulator (crypto for ids, Buffer for encodings), as nango compile builds it', async () => {
        const world = mailWorld({ threads: 3 });
        const sent = await runAction<SendEmailOutput>({
            integration: 'google-mail',
            name: 'send-email',
            store: world.store,
            clock: world.clock,
            from: 'compiled',
            integrationsDir,
            input: { to: [{ email: 'x@example.com', name: 'Zoë' }], subject: 'Grüße', text: 'hello', html: '<p>hello</p>' }
        });
        if (sent.status !== 'success') throw new Error(JSON.stringify(sent.error));
        expect(world.sim.mailbox.messages.get(sent.output.id)?.rfcMessageId).toBe(sent.output.messageId);
    });
});
