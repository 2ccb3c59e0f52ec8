import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAddress, parseAddressList } from '../../nango-integrations/google-mail/addresses.js';
import { encodedWords } from '../../nango-integrations/google-mail/mime-build.js';
import {
    decodeBase64Url,
    decodeCharset,
    decodeHeaderValue,
    newDecodeNotes,
    parseContentType,
    readPayload
} from '../../nango-integrations/google-mail/mime-decode.js';
import type { GmailMessagePart } from '../../nango-integrations/google-mail/schemas.js';

const b64url = (bytes: Buffer | string) => (typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes).toString('base64url');

describe('decodeCharset', () => {
    it('decodes UTF-8 (with or without BOM), and reads Latin-1 and US-ASCII labels as windows-1252', () => {
        expect(decodeCharset(Buffer.from('Grüße 日本', 'utf8'), 'UTF-8')).toBe('Grüße 日本');
        expect(decodeCharset(Buffer.from('\ufeffhello', 'utf8'), 'utf8')).toBe('hello');
        expect(decodeCharset(Buffer.from([0x63, 0x61, 0x66, 0xe9]), 'ISO-8859-1')).toBe('café');
        expect(decodeCharset(Buffer.from([0x63, 0x61, 0x66, 0xe9]), 'latin1')).toBe('café');
        // 0x80 and 0x93/0x94 are the euro sign and curly quotes in windows-1252, C1 controls in strict Latin-1.
        expect(decodeCharset(Buffer.from([0x80, 0x20, 0x93, 0x71, 0x94]), 'windows-1252')).toBe('€ \u201cq\u201d');
        expect(decodeCharset(Buffer.from([0x80, 0x93]), 'iso-8859-1')).toBe('€\u201c');
        expect(decodeCharset(Buffer.from('plain', 'latin1'), 'us-ascii')).toBe('plain');
        expect(decodeCharset(Buffer.from([0x81, 0x8d]), 'cp1252')).toBe('\u0081\u008d');
    });

    it('reads UTF-8 bytes under an iso-8859-1 or us-ascii label as UTF-8, as mail clients do; real Latin-1 stays Latin-1', () => {
        expect(decodeCharset(Buffer.from('Grüße, café ✓', 'utf8'), 'iso-8859-1')).toBe('Grüße, café ✓');
        expect(decodeCharset(Buffer.from('naïve', 'utf8'), '"ISO-8859-1"')).toBe('naïve');
        expect(decodeCharset(Buffer.from('déjà', 'utf8'), 'us-ascii')).toBe('déjà');
        // Latin-1 é (0xe9) followed by ASCII is not valid UTF-8: the label is right.
        expect(decodeCharset(Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0x6f, 0x6b]), 'iso-8859-1')).toBe('café ok');
        expect(decodeCharset(Buffer.from('crème brûlée', 'latin1'), 'iso-8859-1')).toBe('crème brûlée');
    });

    it('reads the charset forms mailers write: no space, unquoted, any case, us-ascii with 7bit', () => {
        const html = readPayload({
            mimeType: 'text/html',
            headers: [{ name: 'Content-type', value: 'text/html;charset=UTF-8' }],
            body: { data: b64url('<p>Zürich</p>'), size: 14 }
        });
        expect(html.html).toBe('<p>Zürich</p>');
        const plain = readPayload({
            mimeType: 'text/plain',
            headers: [
                { name: 'content-type', value: 'text/plain; charset=utf-8' },
                { name: 'Content-Transfer-Encoding', value: '7bit' }
            ],
            body: { data: b64url('€5'), size: 4 }
        });
        expect(plain.text).toBe('€5');
        expect(parseContentType('text/plain; charset=us-ascii').params['charset']).toBe('us-ascii');
        // API-sent mail: no Content-Type at all, Gmail still says text/plain.
        expect(
            readPayload({ mimeType: 'text/plain', headers: [{ name: 'Subject', value: 'x' }], body: { data: b64url('hello'), size: 5 } })
                .text
        ).toBe('hello');
    });

    it('decodes every windows-1252 byte to the code point of the WHATWG table', () => {
        const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
        const text = decodeCharset(bytes, 'windows-1252');
        expect(text.length).toBe(256);
        expect(text.slice(0, 0x80)).toBe(bytes.subarray(0, 0x80).toString('latin1'));
        expect(text.slice(0xa0)).toBe(bytes.subarray(0xa0).toString('latin1'));
        expect([...text.slice(0x80, 0xa0)].map((c) => c.codePointAt(0)!.toString(16))).toEqual(
            '20ac 81 201a 192 201e 2026 2020 2021 2c6 2030 160 2039 152 8d 17d 8f 90 2018 2019 201c 201d 2022 2013 2014 2dc 2122 161 203a 153 9d 17e 178'.split(
                ' '
            )
        );
    });

    it('decodes UTF-16: a BOM decides the byte order, big-endian without one (RFC 2781)', () => {
        const le = Buffer.from('Hé 🎉', 'utf16le');
        const be = Buffer.from(le);
        be.swap16();
        expect(decodeCharset(Buffer.concat([Buffer.from([0xff, 0xfe]), le]), 'UTF-16')).toBe('Hé 🎉');
        expect(decodeCharset(Buffer.concat([Buffer.from([0xfe, 0xff]), be]), 'utf-16')).toBe('Hé 🎉');
        expect(decodeCharset(be, 'utf-16')).toBe('Hé 🎉');
        expect(decodeCharset(le, 'UTF-16LE')).toBe('Hé 🎉');
        expect(decodeCharset(be, 'utf-16be')).toBe('Hé 🎉');
    });

    it('reads an unknown charset as UTF-8 and notes it', () => {
        const notes = newDecodeNotes();
        expect(decodeCharset(Buffer.from('ok é', 'utf8'), 'x-unknown-8', notes)).toBe('ok é');
        expect([...notes.unknownCharsets]).toEqual(['x-unknown-8']);
    });

    it('guesses between UTF-8 and windows-1252 when no charset is given', () => {
        expect(decodeCharset(Buffer.from('naïve', 'utf8'), null)).toBe('naïve');
        expect(decodeCharset(Buffer.from([0x6e, 0x61, 0xef, 0x76, 0x65]), null)).toBe('naïve');
        expect(decodeCharset(Buffer.from('keeps \ufffd as text', 'utf8'), null)).toBe('keeps \ufffd as text');
    });
});

describe('decodeHeaderValue', () => {
    it('decodes B and Q encoded words in any supported charset, keeping plain text around them', () => {
        expect(decodeHeaderValue('=?UTF-8?B?w4lsaWU=?= Dupont')).toBe('Élie Dupont');
        expect(decodeHeaderValue('Re: =?iso-8859-1?q?caf=E9_cr=E8me?=')).toBe('Re: café crème');
        expect(decodeHeaderValue('=?windows-1252?Q?=93quoted=94?=')).toBe('\u201cquoted\u201d');
        expect(decodeHeaderValue('=?utf-8*en?Q?with_language?=')).toBe('with language');
        expect(decodeHeaderValue('no words here')).toBe('no words here');
    });

    it('drops the whitespace between adjacent encoded words and joins a character split across them', () => {
        // "€" (E2 82 AC) split across two words, as some mailers do.
        expect(decodeHeaderValue('=?UTF-8?Q?price_=E2=82?=\r\n =?UTF-8?Q?=AC5?=')).toBe('price €5');
        expect(decodeHeaderValue('=?UTF-8?B?YQ==?= =?UTF-8?B?Yg==?= c')).toBe('ab c');
    });

    it('round-trips whatever our encoder writes', () => {
        fc.assert(
            fc.property(fc.string({ unit: 'binary', maxLength: 120 }), (text) => {
                expect(decodeHeaderValue(encodedWords(text).join(' '))).toBe(text);
            }),
            { numRuns: 300 }
        );
    });
});

describe('parseAddressList', () => {
    it('reads names, quoted names, comments, encoded words, groups and bare addresses', () => {
        expect(
            parseAddressList(
                '"Doe, Jane" <jane@example.com>, =?UTF-8?B?w4lsaWU=?= <elie@example.fr>, bob@example.com (Bob Builder), team: a@example.com, "B (x)" <b@example.com>;, <c@example.com>'
            )
        ).toEqual([
            { email: 'jane@example.com', name: 'Doe, Jane' },
            { email: 'elie@example.fr', name: 'Élie' },
            { email: 'bob@example.com', name: 'Bob Builder' },
            { email: 'a@example.com', name: null },
            { email: 'b@example.com', name: 'B (x)' },
            { email: 'c@example.com', name: null }
        ]);
    });

    it('handles escaped quotes, source routes, empty groups and junk', () => {
        expect(parseAddressList('"Say \\"hi\\"" <hi@example.com>')).toEqual([{ email: 'hi@example.com', name: 'Say "hi"' }]);
        expect(parseAddressList('<@relay.example:user@example.com>')).toEqual([{ email: 'user@example.com', name: null }]);
        expect(parseAddressList('undisclosed-recipients:;')).toEqual([]);
        expect(parseAddressList('not an address, , ')).toEqual([]);
        expect(parseAddressList(null)).toEqual([]);
        expect(parseAddress('Jane <jane@example.com>, other@example.com')).toEqual({ email: 'jane@example.com', name: 'Jane' });
    });
});

describe('readPayload attachments', () => {
    it('keeps an attachment with Content-ID and X-Attachment-Id a file when its disposition is attachment', () => {
        const content = readPayload({
            mimeType: 'application/pdf',
            filename: 'plan.pdf',
            headers: [
                { name: 'Content-Disposition', value: 'attachment; filename="plan.pdf"' },
                { name: 'Content-ID', value: '<f_m1a2>' },
                { name: 'X-Attachment-Id', value: 'f_m1a2' }
            ],
            body: { attachmentId: 'ANGjdJ1', size: 10 }
        });
        expect(content.attachments).toEqual([
            { filename: 'plan.pdf', mimeType: 'application/pdf', size: 10, attachmentId: 'ANGjdJ1', contentId: 'f_m1a2', inline: false }
        ]);
    });
});

describe('readPayload', () => {
    const part = (mimeType: string, data: string | Buffer | null, extra: Partial<GmailMessagePart> = {}): GmailMessagePart => ({
        mimeType,
        filename: '',
        headers: [{ name: 'Content-Type', value: mimeType }],
        body: data === null ? { size: 0 } : { data: b64url(data), size: Buffer.byteLength(data) },
        ...extra
    });

    it('takes text and HTML from a multipart/alternative inside a multipart/mixed, attachments as metadata', () => {
        const payload: GmailMessagePart = {
            mimeType: 'multipart/mixed',
            filename: '',
            headers: [{ name: 'Content-Type', value: 'multipart/mixed; boundary="x"' }],
            body: { size: 0 },
            parts: [
                {
                    mimeType: 'multipart/alternative',
                    filename: '',
                    body: { size: 0 },
                    parts: [
                        part('text/plain', Buffer.from([0x63, 0x61, 0x66, 0xe9]), {
                            headers: [{ name: 'Content-Type', value: 'text/plain; charset="ISO-8859-1"' }]
                        }),
                        {
                            mimeType: 'multipart/related',
                            filename: '',
                            body: { size: 0 },
                            parts: [
                                part('text/html', '<p>café <img src="cid:logo@x"></p>', {
                                    headers: [{ name: 'Content-Type', value: 'text/html; charset=utf-8' }]
                                }),
                                {
                                    mimeType: 'image/png',
                                    filename: 'logo.png',
                                    headers: [
                                        { name: 'Content-Type', value: 'image/png; name="logo.png"' },
                                        { name: 'Content-Disposition', value: 'inline; filename="logo.png"' },
                                        { name: 'Content-ID', value: '<logo@x>' }
                                    ],
                                    body: { attachmentId: 'ATT-1', size: 2048 }
                                }
                            ]
                        }
                    ]
                },
                {
                    mimeType: 'application/pdf',
                    filename: 'report.pdf',
                    headers: [{ name: 'Content-Disposition', value: 'attachment; filename="report.pdf"' }],
                    body: { attachmentId: 'ATT-2', size: 99_000 }
                },
                {
                    mimeType: 'text/plain',
                    filename: 'notes.txt',
                    headers: [{ name: 'Content-Disposition', value: 'attachment; filename="notes.txt"' }],
                    body: { data: b64url('not the body'), size: 12 }
                }
            ]
        };
        const content = readPayload(payload);
        expect(content.text).toBe('café');
        expect(content.html).toBe('<p>café <img src="cid:logo@x"></p>');
        expect(content.attachments).toEqual([
            { filename: 'logo.png', mimeType: 'image/png', size: 2048, attachmentId: 'ATT-1', contentId: 'logo@x', inline: true },
            { filename: 'report.pdf', mimeType: 'application/pdf', size: 99_000, attachmentId: 'ATT-2', contentId: null, inline: false },
            { filename: 'notes.txt', mimeType: 'text/plain', size: 12, attachmentId: null, contentId: null, inline: false }
        ]);
    });

    it('reads a single-part UTF-16 message and keeps an attached message as an attachment', () => {
        const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Grüße', 'utf16le')]);
        expect(
            readPayload(part('text/plain', utf16, { headers: [{ name: 'Content-Type', value: 'text/plain; charset=UTF-16' }] })).text
        ).toBe('Grüße');
        const forwarded = readPayload({
            mimeType: 'multipart/mixed',
            body: { size: 0 },
            parts: [
                part('text/plain', 'see below'),
                {
                    mimeType: 'message/rfc822',
                    filename: 'fwd.eml',
                    body: { attachmentId: 'ATT-3', size: 500 },
                    parts: [part('text/plain', 'inner body')]
                }
            ]
        });
        expect(forwarded.text).toBe('see below');
        expect(forwarded.attachments.map((a) => a.filename)).toEqual(['fwd.eml']);
    });

    it('decodes base64url with either alphabet', () => {
        expect(decodeBase64Url(Buffer.from([0xfb, 0xff, 0xbf]).toString('base64url')).toString('hex')).toBe('fbffbf');
        expect(decodeBase64Url(Buffer.from([0xfb, 0xff, 0xbf]).toString('base64')).toString('hex')).toBe('fbffbf');
    });

    it('parses Content-Type parameters with quotes and escapes', () => {
        expect(parseContentType('Text/HTML; Charset="utf-8"; name="a \\"b\\"; c"')).toEqual({
            type: 'text/html',
            params: { charset: 'utf-8', name: 'a "b"; c' }
        });
    });
});
