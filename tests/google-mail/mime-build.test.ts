import fc from 'fast-check';
import PostalMime, { type Email } from 'postal-mime';
import { describe, expect, it } from 'vitest';
import {
    buildMessage,
    encodedWords,
    encodeQuotedPrintable,
    formatDate,
    MimeInputError,
    type OutgoingMessage
} from '../../nango-integrations/google-mail/mime-build.js';

const base: OutgoingMessage = {
    to: [{ email: 'john@example.com', name: 'John Smith' }],
    subject: 'Hello',
    text: 'Hi John',
    messageId: '<abc.123@example.com>',
    date: new Date(Date.UTC(2026, 0, 15, 12, 0, 0))
};

function build(overrides: Partial<OutgoingMessage>): string {
    return buildMessage({ ...base, ...overrides });
}

async function parse(raw: string): Promise<Email> {
    return PostalMime.parse(raw);
}

/** Line breaks as LF: we send CRLF, readers may give either. */
function lines(text: string | undefined): string {
    return (text ?? '').replace(/\r\n|\r/g, '\n');
}

/**
 * A body as postal-mime returns it, compared without trailing line breaks: its quoted-printable decoder ends the last
 * line with one even when the body has none ("Hi" comes back "Hi\n"). The exact bytes are checked separately
 * against a reference quoted-printable decoder (see `decodeQuotedPrintable` below).
 */
function partText(text: string | undefined): string {
    return lines(text).replace(/\n+$/, '');
}

/** RFC 2045 §6.7 decoding, the reference for our encoder: soft breaks removed, =XX turned back into bytes. */
function decodeQuotedPrintable(encoded: string): Buffer {
    const joined = encoded.replace(/=\r\n/g, '');
    const bytes: number[] = [];
    for (let i = 0; i < joined.length; i += 1) {
        if (joined[i] === '=') {
            bytes.push(parseInt(joined.slice(i + 1, i + 3), 16));
            i += 2;
        } else bytes.push(joined.charCodeAt(i));
    }
    return Buffer.from(bytes);
}

function headerBlock(raw: string): string {
    return raw.slice(0, raw.indexOf('\r\n\r\n'));
}

/** What RFC 5322 and RFC 2045 ask of every line: CRLF only, 7-bit, at most 998 characters. */
function expectWellFormed(raw: string): void {
    expect(raw).not.toMatch(/\r(?!\n)|(?<!\r)\n/);
    expect([...raw].every((char) => char.charCodeAt(0) < 0x80)).toBe(true);
    for (const line of raw.split('\r\n')) expect(line.length).toBeLessThanOrEqual(998);
}

describe('buildMessage', () => {
    it('writes a plain text message that an independent parser reads back field by field', async () => {
        const raw = build({
            from: { email: 'me@example.org', name: 'Me Myself' },
            cc: [{ email: 'cc@example.com' }],
            replyTo: { email: 'replies@example.org', name: 'Replies' },
            inReplyTo: '<parent@example.com>',
            references: ['<root@example.com>', '<parent@example.com>']
        });
        expectWellFormed(raw);
        expect(raw).toContain('MIME-Version: 1.0\r\n');
        expect(raw).toContain('Date: Thu, 15 Jan 2026 12:00:00 +0000\r\n');
        const email = await parse(raw);
        expect(email.from).toEqual({ address: 'me@example.org', name: 'Me Myself' });
        expect(email.to).toEqual([{ address: 'john@example.com', name: 'John Smith' }]);
        expect(email.cc).toEqual([{ address: 'cc@example.com', name: '' }]);
        expect(email.replyTo).toEqual([{ address: 'replies@example.org', name: 'Replies' }]);
        expect(email.subject).toBe('Hello');
        expect(email.messageId).toBe('<abc.123@example.com>');
        expect(email.inReplyTo).toBe('<parent@example.com>');
        expect(email.references).toBe('<root@example.com> <parent@example.com>');
        expect(partText(email.text)).toBe('Hi John');
        expect(email.html).toBeUndefined();
        expect(email.attachments).toEqual([]);
    });

    it('puts text and HTML in a multipart/alternative, text first', async () => {
        const raw = build({ text: 'plain body', html: '<p>html <b>body</b></p>' });
        expectWellFormed(raw);
        expect(headerBlock(raw)).toMatch(/Content-Type: multipart\/alternative;\s+boundary="=_nango_alternative_[0-9a-f]+"/);
        expect(raw.indexOf('Content-Type: text/plain')).toBeLessThan(raw.indexOf('Content-Type: text/html'));
        const email = await parse(raw);
        expect(partText(email.text)).toBe('plain body');
        expect(partText(email.html)).toBe('<p>html <b>body</b></p>');
    });

    it('sends an HTML-only message as a single text/html part', async () => {
        const raw = build({ text: undefined, html: '<p>only html</p>' });
        expect(headerBlock(raw)).toContain('Content-Type: text/html; charset="UTF-8"');
        expect(raw).not.toContain('multipart/');
        expect(partText((await parse(raw)).html)).toBe('<p>only html</p>');
    });

    it('wraps attachments in a multipart/mixed around the bodies, base64 in lines of 76', async () => {
        const pdf = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 37) % 256));
        const raw = build({
            text: 'see attached',
            html: '<p>see attached</p>',
            attachments: [
                { filename: 'report.pdf', mimeType: 'application/pdf', content: pdf },
                {
                    filename: 'Überblick – März 2026 (final version for the board).xlsx',
                    mimeType: 'application/vnd.ms-excel',
                    content: Buffer.from('xls')
                }
            ]
        });
        expectWellFormed(raw);
        expect(headerBlock(raw)).toMatch(/Content-Type: multipart\/mixed;/);
        const base64Lines = raw.split('\r\n').filter((line) => /^[A-Za-z0-9+/]{60,}={0,2}$/.test(line));
        expect(base64Lines.length).toBeGreaterThan(10);
        for (const line of base64Lines) expect(line.length).toBeLessThanOrEqual(76);
        const email = await parse(raw);
        expect(partText(email.text)).toBe('see attached');
        expect(partText(email.html)).toBe('<p>see attached</p>');
        expect(email.attachments.map((a) => [a.filename, a.mimeType, a.disposition])).toEqual([
            ['report.pdf', 'application/pdf', 'attachment'],
            ['Überblick – März 2026 (final version for the board).xlsx', 'application/vnd.ms-excel', 'attachment']
        ]);
        expect(Buffer.from(email.attachments[0]!.content as ArrayBuffer)).toEqual(pdf);
        expect(Buffer.from(email.attachments[1]!.content as ArrayBuffer).toString()).toBe('xls');
    });

    it('encodes non-ASCII names and subjects as RFC 2047 encoded words of at most 75 characters', async () => {
        const subject = 'Réunion 日本語 🎉 ' + 'très long sujet '.repeat(8);
        const raw = build({
            from: { email: 'zoe@example.org', name: 'Zoë Ünïcode' },
            to: [{ email: 'a@example.com', name: '山田 太郎' }],
            subject
        });
        expectWellFormed(raw);
        const words = headerBlock(raw).match(/=\?UTF-8\?B\?[^?]*\?=/g) ?? [];
        expect(words.length).toBeGreaterThan(3);
        for (const word of words) expect(word.length).toBeLessThanOrEqual(75);
        for (const line of headerBlock(raw).split('\r\n')) expect(line.length).toBeLessThanOrEqual(78);
        const email = await parse(raw);
        expect(email.subject).toBe(subject);
        expect(email.from).toEqual({ address: 'zoe@example.org', name: 'Zoë Ünïcode' });
        expect(email.to).toEqual([{ address: 'a@example.com', name: '山田 太郎' }]);
    });

    it('quotes ASCII display names with specials, and encodes a subject that looks like an encoded word', async () => {
        const raw = build({
            to: [{ email: 'jane@example.com', name: 'Doe, Jane "JD" \\ Jr.' }],
            subject: 'literally =?utf-8?q?not_encoded?='
        });
        expect(headerBlock(raw)).toContain('To: "Doe, Jane \\"JD\\" \\\\ Jr." <jane@example.com>');
        const email = await parse(raw);
        expect(email.to).toEqual([{ address: 'jane@example.com', name: 'Doe, Jane "JD" \\ Jr.' }]);
        expect(email.subject).toBe('literally =?utf-8?q?not_encoded?=');
    });

    it('folds a long ASCII subject and a long recipient list within 78 characters per line', async () => {
        const subject = Array.from({ length: 30 }, (_, i) => `word${i}`).join(' ');
        const to = Array.from({ length: 12 }, (_, i) => ({ email: `person${i}@example.com`, name: `Person Number ${i}` }));
        const raw = build({ subject, to });
        for (const line of headerBlock(raw).split('\r\n')) expect(line.length).toBeLessThanOrEqual(78);
        const email = await parse(raw);
        expect(email.subject).toBe(subject);
        expect(email.to?.map((a) => a.address)).toEqual(to.map((a) => a.email));
    });

    it('writes mostly-ASCII bodies as quoted-printable with soft breaks, and mostly non-ASCII ones as base64', async () => {
        const ascii = build({ text: 'a'.repeat(200) + ' café = ok\n\nFrom the start\n.dot line' });
        expect(ascii).toContain('Content-Transfer-Encoding: quoted-printable');
        const body = ascii.slice(ascii.indexOf('\r\n\r\n') + 4);
        for (const line of body.split('\r\n')) expect(line.length).toBeLessThanOrEqual(76);
        expect(body).toContain('=\r\n');
        expect(body).toContain('caf=C3=A9 =3D ok');
        expect(body).toContain('=46rom the start');
        expect(body).toContain('=2Edot line');
        expect(partText((await parse(ascii)).text)).toBe('a'.repeat(200) + ' café = ok\n\nFrom the start\n.dot line');

        const greek = build({ text: 'Καλημέρα κόσμε, τι κάνεις;' });
        expect(greek).toContain('Content-Transfer-Encoding: base64');
        expect(lines((await parse(greek)).text)).toBe('Καλημέρα κόσμε, τι κάνεις;');
    });

    it('refuses CR or LF in every header value, naming the field, and never emits it', () => {
        const hostile = 'Hi\r\nBcc: victim@example.com';
        const cases: [string, Partial<OutgoingMessage>][] = [
            ['subject', { subject: hostile }],
            ['subject', { subject: 'line\nbreak' }],
            ['subject', { subject: 'carriage\rreturn' }],
            ['to[0].name', { to: [{ email: 'a@example.com', name: hostile }] }],
            ['to[0].email', { to: [{ email: 'a@example.com\r\nBcc: b@example.com' }] }],
            ['cc[0].name', { cc: [{ email: 'c@example.com', name: 'x\ny' }] }],
            ['bcc[0].email', { bcc: [{ email: 'b@example.com\n' }] }],
            ['from.name', { from: { email: 'me@example.com', name: 'Me\r\n' } }],
            ['replyTo.name', { replyTo: { email: 'r@example.com', name: '\nX-Evil: 1' } }],
            [
                'attachments[0].filename',
                { attachments: [{ filename: 'a.txt"\r\nX-Evil: 1', mimeType: 'text/plain', content: Buffer.from('') }] }
            ],
            [
                'attachments[0].mimeType',
                { attachments: [{ filename: 'a.txt', mimeType: 'text/plain\r\nX-Evil: 1', content: Buffer.from('') }] }
            ],
            ['inReplyTo', { inReplyTo: '<a@b.c>\r\nX-Evil: 1' }],
            ['references[1]', { references: ['<a@b.c>', '<d@e.f>\nX-Evil: 1'] }]
        ];
        for (const [field, overrides] of cases) {
            let thrown: unknown;
            try {
                build(overrides);
            } catch (error) {
                thrown = error;
            }
            expect(thrown, field).toBeInstanceOf(MimeInputError);
            expect((thrown as MimeInputError).field).toBe(field);
        }
    });

    it('refuses what cannot be sent: no recipient, invalid addresses, no body, a bad MIME type, unpaired surrogates', () => {
        const field = (overrides: Partial<OutgoingMessage>) => {
            try {
                build(overrides);
            } catch (error) {
                if (error instanceof MimeInputError) return error.field;
                throw error;
            }
            return null;
        };
        expect(field({ to: [] })).toBe('to');
        expect(field({ to: [], bcc: [{ email: 'hidden@example.com' }] })).toBeNull();
        expect(field({ to: [{ email: 'not-an-address' }] })).toBe('to[0].email');
        expect(field({ to: [{ email: 'a@b.com' }, { email: 'John <john@example.com>' }] })).toBe('to[1].email');
        expect(field({ cc: [{ email: 'x@localhost' }] })).toBe('cc[0].email');
        expect(field({ text: undefined, html: undefined })).toBe('text');
        expect(field({ attachments: [{ filename: 'a', mimeType: 'pdf', content: Buffer.from('') }] })).toBe('attachments[0].mimeType');
        expect(field({ attachments: [{ filename: ' ', mimeType: 'text/plain', content: Buffer.from('') }] })).toBe(
            'attachments[0].filename'
        );
        expect(field({ subject: 'broken \ud800 surrogate' })).toBe('subject');
        expect(field({ text: 'nul \0 byte' })).toBe('text');
    });
});

describe('helpers', () => {
    it('never splits a character across two encoded words', () => {
        const text = '🎉'.repeat(40) + 'é'.repeat(40);
        const words = encodedWords(text);
        const decoded = words.map((word) => Buffer.from(word.slice(10, -2), 'base64').toString('utf8'));
        expect(decoded.join('')).toBe(text);
        for (const part of decoded) expect(part).not.toContain('\ufffd');
    });

    it('escapes quoted-printable trailing whitespace and never splits an =XX triplet', () => {
        expect(encodeQuotedPrintable(Buffer.from('end with space \r\nand tab\t'))).toBe('end with space=20\r\nand tab=09');
        const encoded = encodeQuotedPrintable(Buffer.from('é'.repeat(100)));
        for (const line of encoded.split('\r\n')) {
            expect(line.length).toBeLessThanOrEqual(76);
            expect(line.replace(/=$/, '')).toMatch(/^(=[0-9A-F]{2})*$/);
        }
    });

    it('formats RFC 5322 dates', () => {
        expect(formatDate(new Date(Date.UTC(2026, 1, 3, 4, 5, 6)))).toBe('Tue, 3 Feb 2026 04:05:06 +0000');
    });
});

// Property-based: arbitrary Unicode round-trips through postal-mime; hostile values are refused, never emitted.
const unicode = (options: { minLength?: number; maxLength?: number } = {}) =>
    fc.string({ unit: 'binary', maxLength: options.maxLength ?? 80, minLength: options.minLength ?? 0 });
// Header text refuses C0 controls but TAB, DEL and C1 controls (checkHeaderText).
// eslint-disable-next-line no-control-regex -- the controls are what is filtered out
const headerSafe = (text: string) => !/[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/.test(text);
/** Readers trim header values and fold whitespace runs; our encoding keeps them, so compare on that footing. */
const normalizeHeader = (text: string) => text.replace(/[\t ]+/g, ' ').trim();

describe('properties', () => {
    it('any Unicode subject, display name and body survives a round trip', async () => {
        await fc.assert(
            fc.asyncProperty(
                unicode().filter(headerSafe),
                unicode({ minLength: 1, maxLength: 40 }).filter((name) => headerSafe(name) && name.trim() !== ''),
                unicode({ maxLength: 400 }).filter((body) => !body.includes('\0')),
                async (subject, name, text) => {
                    const raw = build({ subject, to: [{ email: 'to@example.com', name }], text, html: `<p>${text}</p>` });
                    expectWellFormed(raw);
                    for (const line of headerBlock(raw).split('\r\n')) expect(line.length).toBeLessThanOrEqual(78);
                    const email = await parse(raw);
                    expect(normalizeHeader(email.subject ?? '')).toBe(normalizeHeader(subject));
                    expect(normalizeHeader(email.to?.[0]?.name ?? '')).toBe(normalizeHeader(name));
                    expect(email.to?.[0]?.address).toBe('to@example.com');
                    expect(partText(email.text)).toBe(partText(text));
                    expect(partText(email.html)).toBe(partText(`<p>${text}</p>`));
                }
            ),
            { numRuns: 300 }
        );
    });

    it('quoted-printable bodies decode to exactly the UTF-8 bytes of the text, CRLF line ends, lines of at most 76', () => {
        fc.assert(
            fc.property(unicode({ maxLength: 600 }), (text) => {
                const bytes = Buffer.from(text.replace(/\r\n|\r|\n/g, '\r\n'), 'utf8');
                const encoded = encodeQuotedPrintable(bytes);
                expect(encoded).toMatch(/^[\t\x20-\x7e\r\n]*$/);
                for (const line of encoded.split('\r\n')) {
                    expect(line.length).toBeLessThanOrEqual(76);
                    expect(line).not.toMatch(/[ \t]$/);
                }
                expect(decodeQuotedPrintable(encoded)).toEqual(bytes);
            }),
            { numRuns: 500 }
        );
    });

    it('a header value holding CR or LF anywhere is refused, whatever surrounds it', () => {
        const hostile = fc
            .tuple(unicode({ maxLength: 20 }), fc.constantFrom('\r', '\n', '\r\n'), unicode({ maxLength: 20 }))
            .map(([before, breakChars, after]) => `${before}${breakChars}${after}`);
        const fields = ['subject', 'to[0].name', 'to[0].email', 'cc[0].name', 'replyTo.name', 'attachments[0].filename'] as const;
        fc.assert(
            fc.property(hostile, fc.constantFrom(...fields), (value, field) => {
                const overrides: Partial<OutgoingMessage> = {
                    subject: field === 'subject' ? value : 'ok',
                    to: [
                        field === 'to[0].name'
                            ? { email: 'a@example.com', name: value }
                            : field === 'to[0].email'
                              ? { email: value }
                              : { email: 'a@example.com' }
                    ],
                    ...(field === 'cc[0].name' ? { cc: [{ email: 'c@example.com', name: value }] } : {}),
                    ...(field === 'replyTo.name' ? { replyTo: { email: 'r@example.com', name: value } } : {}),
                    ...(field === 'attachments[0].filename'
                        ? { attachments: [{ filename: value, mimeType: 'text/plain', content: Buffer.from('x') }] }
                        : {})
                };
                expect(() => build(overrides)).toThrow(MimeInputError);
                try {
                    build(overrides);
                } catch (error) {
                    expect((error as MimeInputError).field).toBe(field);
                }
            }),
            { numRuns: 300 }
        );
    });

    it('whatever the input, no header line of a built message starts a header we did not write', () => {
        const written = new Set([
            'Date',
            'From',
            'To',
            'Cc',
            'Bcc',
            'Reply-To',
            'Subject',
            'Message-ID',
            'In-Reply-To',
            'References',
            'MIME-Version',
            'Content-Type',
            'Content-Transfer-Encoding'
        ]);
        fc.assert(
            fc.property(unicode(), unicode({ maxLength: 30 }), (subject, name) => {
                let raw: string;
                try {
                    raw = build({ subject, to: [{ email: 'a@example.com', name }], cc: [{ email: 'b@example.com', name: subject }] });
                } catch (error) {
                    expect(error).toBeInstanceOf(MimeInputError);
                    return;
                }
                for (const line of headerBlock(raw).split('\r\n')) {
                    if (/^[ \t]/.test(line)) continue;
                    expect(written.has(line.slice(0, line.indexOf(':')))).toBe(true);
                }
            }),
            { numRuns: 300 }
        );
    });
});
