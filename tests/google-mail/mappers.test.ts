import { describe, expect, it } from 'vitest';
import { GmailMessage as GmailMessageModel, GmailThread as GmailThreadModel, GoogleContact as GoogleContactModel } from '../../models.js';
import {
    angleTargets,
    cleanSnippet,
    compareHistoryIds,
    messageIds,
    decodeHtmlEntities,
    maxHistoryId,
    toGmailThread,
    toGoogleContact
} from '../../nango-integrations/google-mail/mappers.js';
import { replyEnvelope, type ParentMessage } from '../../nango-integrations/google-mail/reply.js';
import { GmailApiThread, PeoplePerson } from '../../nango-integrations/google-mail/schemas.js';

const b64url = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

/** A threads.get?format=full answer in Gmail's shape (field names and nesting as the API returns them). */
const rawThread = {
    id: '18c1f0a2b3c4d5e6',
    historyId: '987654',
    messages: [
        {
            id: '18c1f0a2b3c4d5e6',
            threadId: '18c1f0a2b3c4d5e6',
            labelIds: ['INBOX', 'UNREAD'],
            snippet: 'Shall we meet &amp; talk? I&#39;m free',
            historyId: '987600',
            internalDate: '1767225600000',
            sizeEstimate: 4321,
            payload: {
                partId: '',
                mimeType: 'multipart/alternative',
                filename: '',
                headers: [
                    { name: 'From', value: '=?UTF-8?Q?J=C3=BCrgen_M=C3=BCller?= <jurgen@example.de>' },
                    { name: 'To', value: 'Me <me@example.com>, "Doe, Jane" <jane@example.com>' },
                    { name: 'Cc', value: 'team@example.com' },
                    { name: 'Subject', value: '=?UTF-8?B?VHJlZmZlbiDwn5ON?=' },
                    { name: 'Message-ID', value: ' <CAabc@mail.example.de> ' }
                ],
                body: { size: 0 },
                parts: [
                    {
                        partId: '0',
                        mimeType: 'text/plain',
                        filename: '',
                        headers: [{ name: 'Content-Type', value: 'text/plain; charset=UTF-8' }],
                        body: { size: 9, data: b64url('Treffen?\n') }
                    },
                    {
                        partId: '1',
                        mimeType: 'text/html',
                        filename: '',
                        headers: [{ name: 'Content-Type', value: 'text/html; charset=UTF-8' }],
                        body: { size: 16, data: b64url('<b>Treffen?</b>') }
                    }
                ]
            }
        },
        {
            // Broken: no payload. Logged and skipped, the thread survives.
            id: '18c1f0a2b3c4d5e7',
            threadId: '18c1f0a2b3c4d5e6',
            historyId: '987610',
            internalDate: '1767229200000'
        },
        {
            id: '18c1f0a2b3c4d5e8',
            threadId: '18c1f0a2b3c4d5e6',
            labelIds: ['SENT'],
            snippet: 'Yes, see the file',
            historyId: '987654',
            internalDate: '1767232800000',
            payload: {
                mimeType: 'multipart/mixed',
                filename: '',
                headers: [
                    { name: 'From', value: 'me@example.com' },
                    { name: 'To', value: 'jurgen@example.de' },
                    { name: 'Subject', value: 'Re: Treffen 📍' }
                ],
                body: { size: 0 },
                parts: [
                    { mimeType: 'text/plain', filename: '', headers: [], body: { size: 17, data: b64url('Yes, see the file') } },
                    { mimeType: 'application/pdf', filename: 'plan.pdf', headers: [], body: { attachmentId: 'ANGjdJ8', size: 5000 } }
                ]
            }
        }
    ]
};

describe('toGmailThread', () => {
    it('maps a thread: first message for subject and people, latest for date and snippet, labels united', () => {
        const mapped = toGmailThread(GmailApiThread.parse(rawThread));
        expect(mapped.skipped).toEqual([{ id: '18c1f0a2b3c4d5e7', problem: expect.stringContaining('payload') }]);
        const thread = mapped.thread!;
        expect(GmailThreadModel.parse(thread)).toEqual(thread);
        expect(thread).toMatchObject({
            id: '18c1f0a2b3c4d5e6',
            historyId: '987654',
            subject: 'Treffen 📍',
            from: { email: 'jurgen@example.de', name: 'Jürgen Müller' },
            to: [
                { email: 'me@example.com', name: 'Me' },
                { email: 'jane@example.com', name: 'Doe, Jane' }
            ],
            cc: [{ email: 'team@example.com', name: null }],
            date: '2026-01-01T02:00:00.000Z',
            labels: ['INBOX', 'SENT', 'UNREAD'],
            snippet: 'Yes, see the file',
            hasAttachment: true
        });
        expect(thread.messages.map((m) => m.id)).toEqual(['18c1f0a2b3c4d5e6', '18c1f0a2b3c4d5e8']);
        expect(thread.messages[0]).toMatchObject({
            messageId: '<CAabc@mail.example.de>',
            snippet: "Shall we meet & talk? I'm free",
            body_text: 'Treffen?\n',
            body_html: '<b>Treffen?</b>',
            date: '2026-01-01T00:00:00.000Z',
            attachments: []
        });
        expect(thread.messages[1]!.attachments).toEqual([
            { filename: 'plan.pdf', mimeType: 'application/pdf', size: 5000, attachmentId: 'ANGjdJ8', contentId: null }
        ]);
    });

    it('gives no thread when no message can be read, and reports each', () => {
        const mapped = toGmailThread(GmailApiThread.parse({ id: 't1', historyId: '5', messages: [{ id: 'm1' }, { bogus: true }] }));
        expect(mapped.thread).toBeNull();
        expect(mapped.skipped.map((s) => s.id)).toEqual(['m1', '#1']);
    });

    it('does not count an inline image as an attachment of the thread', () => {
        const inlineOnly = {
            id: 't2',
            historyId: '7',
            messages: [
                {
                    id: 'm2',
                    threadId: 't2',
                    historyId: '7',
                    internalDate: '1767225600000',
                    payload: {
                        mimeType: 'multipart/related',
                        parts: [
                            { mimeType: 'text/html', filename: '', headers: [], body: { data: b64url('<img src="cid:a">'), size: 17 } },
                            {
                                mimeType: 'image/png',
                                filename: 'a.png',
                                headers: [
                                    { name: 'Content-Disposition', value: 'inline' },
                                    { name: 'Content-ID', value: '<a>' }
                                ],
                                body: { attachmentId: 'X', size: 10 }
                            }
                        ]
                    }
                }
            ]
        };
        const thread = toGmailThread(GmailApiThread.parse(inlineOnly)).thread!;
        expect(thread.hasAttachment).toBe(false);
        expect(thread.messages[0]!.attachments[0]!.contentId).toBe('a');
    });
});

describe('envelope headers', () => {
    const message = (headers: { name: string; value: string }[], extra: Record<string, unknown> = {}) =>
        toGmailThread(
            GmailApiThread.parse({
                id: 't1',
                messages: [
                    {
                        id: 'm1',
                        threadId: 't1',
                        historyId: '5',
                        internalDate: '1767225600000',
                        payload: { mimeType: 'text/plain', headers, body: { data: b64url('hi'), size: 2 } },
                        ...extra
                    }
                ]
            })
        ).thread!.messages[0]!;

    it('keeps Reply-To, In-Reply-To, References, List-Unsubscribe, sizeEstimate and the Date header as sent', () => {
        const mapped = message(
            [
                { name: 'Date', value: ' Thu, 1 Jan 2026 01:00:00 +0100 (CET)' },
                { name: 'Reply-To', value: '"Support, Acme" <help@acme.test>, =?UTF-8?Q?Zo=C3=AB?= <zoe@acme.test>' },
                { name: 'In-Reply-To', value: '<CA+parent@mail.gmail.com> (sent by Ada)' },
                { name: 'References', value: '<root@x.example>\r\n <CA+parent@mail.gmail.com>' },
                { name: 'List-Unsubscribe', value: '<mailto:u@lists.test?subject=unsubscribe>,\r\n <https://lists.test/u/\r\n 42>' }
            ],
            { sizeEstimate: 1234 }
        );
        expect(GmailMessageModel.parse(mapped)).toEqual(mapped);
        expect(mapped).toMatchObject({
            replyTo: [
                { email: 'help@acme.test', name: 'Support, Acme' },
                { email: 'zoe@acme.test', name: 'Zoë' }
            ],
            inReplyTo: '<CA+parent@mail.gmail.com>',
            references: ['<root@x.example>', '<CA+parent@mail.gmail.com>'],
            listUnsubscribe: ['mailto:u@lists.test?subject=unsubscribe', 'https://lists.test/u/42'],
            sizeEstimate: 1234,
            dateHeader: 'Thu, 1 Jan 2026 01:00:00 +0100 (CET)',
            date: '2026-01-01T00:00:00.000Z'
        });
    });

    it('gives empty lists and nulls when the headers are absent, and reads ids without brackets', () => {
        expect(message([])).toMatchObject({
            replyTo: [],
            inReplyTo: null,
            references: [],
            listUnsubscribe: [],
            sizeEstimate: null,
            dateHeader: null
        });
        expect(message([{ name: 'References', value: 'a@x.example b@x.example' }]).references).toEqual(['a@x.example', 'b@x.example']);
        expect(messageIds('<a@x>, <b@y>')).toEqual(['<a@x>', '<b@y>']);
        expect(angleTargets('https://lists.test/u/1')).toEqual(['https://lists.test/u/1']);
    });

    it('still parses a record cached before these fields existed', () => {
        const { replyTo: _r, inReplyTo: _i, references: _f, listUnsubscribe: _l, sizeEstimate: _s, dateHeader: _d, ...old } = message([]);
        expect(GmailMessageModel.safeParse(old).success).toBe(true);
    });
});

describe('history ids and entities', () => {
    it('compares history ids as unbounded integers', () => {
        expect(compareHistoryIds('9', '10')).toBeLessThan(0);
        expect(compareHistoryIds('18446744073709551615', '18446744073709551614')).toBeGreaterThan(0);
        expect(maxHistoryId(['5', '123', '99'])).toBe('123');
    });

    it('strips the invisible padding of preview text from snippets and decodes their entities', () => {
        expect(cleanSnippet('Don&#39;t miss &amp; more \u034f\u200c \u034f\u200c \u034f\u200c Hello')).toBe("Don't miss & more Hello");
        expect(cleanSnippet('\u200c\u034f')).toBe('');
    });

    it('reads header names in any case and bare addresses', () => {
        const thread = toGmailThread(
            GmailApiThread.parse({
                id: 't1',
                messages: [
                    {
                        id: 'm1',
                        threadId: 't1',
                        historyId: '5',
                        internalDate: '1767225600000',
                        payload: {
                            mimeType: 'text/plain',
                            headers: [
                                { name: 'Message-Id', value: '<a@b>' },
                                { name: 'Mime-Version', value: '1.0' },
                                { name: 'Content-type', value: 'text/plain; charset=utf-8' },
                                { name: 'from', value: 'ada@example.com' },
                                { name: 'TO', value: 'bob@example.com, carol@example.com' }
                            ],
                            body: { data: b64url('hi'), size: 2 }
                        }
                    }
                ]
            })
        ).thread!;
        expect(thread.messages[0]).toMatchObject({
            messageId: '<a@b>',
            from: { email: 'ada@example.com', name: null },
            to: [
                { email: 'bob@example.com', name: null },
                { email: 'carol@example.com', name: null }
            ],
            body_text: 'hi'
        });
    });

    it('decodes the entities Gmail puts in snippets', () => {
        expect(decodeHtmlEntities('a &lt;b&gt; &quot;c&quot; &#x1F600; &#233; &unknown; &amp;amp;')).toBe('a <b> "c" 😀 é &unknown; &amp;');
    });
});

describe('toGoogleContact', () => {
    it('maps a People person, primary entries first, default photos left out', () => {
        const person = PeoplePerson.parse({
            resourceName: 'people/c123',
            etag: '%EgcBAgkLLjc9',
            metadata: {
                sources: [
                    { type: 'PROFILE', id: 'p1' },
                    { type: 'CONTACT', id: 'c123', updateTime: '2026-01-02T03:04:05.678Z' }
                ]
            },
            names: [
                { displayName: 'Nick', givenName: 'Nick', metadata: { primary: false } },
                { displayName: 'Ada Lovelace', givenName: 'Ada', familyName: 'Lovelace', metadata: { primary: true } }
            ],
            emailAddresses: [
                { value: 'ada@example.com', type: 'work', metadata: { primary: true } },
                { value: 'ada@home.example' },
                { type: 'other' }
            ],
            phoneNumbers: [{ value: '+44 20 7946 0000', canonicalForm: '+442079460000', type: 'mobile', metadata: { primary: true } }],
            organizations: [{ name: 'Analytical Engines Ltd', title: 'Programmer' }],
            photos: [{ url: 'https://lh3.googleusercontent.com/a/default', default: true, metadata: { primary: true } }]
        });
        const contact = toGoogleContact(person);
        expect(GoogleContactModel.parse(contact)).toEqual(contact);
        expect(contact).toEqual({
            id: 'people/c123',
            etag: '%EgcBAgkLLjc9',
            displayName: 'Ada Lovelace',
            givenName: 'Ada',
            familyName: 'Lovelace',
            emailAddresses: [
                { value: 'ada@example.com', type: 'work', primary: true },
                { value: 'ada@home.example', type: null, primary: false }
            ],
            phoneNumbers: [{ value: '+44 20 7946 0000', type: 'mobile', primary: true }],
            organizations: [{ name: 'Analytical Engines Ltd', title: 'Programmer', department: null }],
            photoUrl: null,
            updatedAt: '2026-01-02T03:04:05.678Z'
        });
    });
});

describe('replyEnvelope', () => {
    const parent = (headers: Record<string, string>): ParentMessage => ({
        id: 'm1',
        threadId: 't1',
        headers: Object.entries(headers).map(([name, value]) => ({ name, value })),
        messageId: headers['Message-ID'] ?? null
    });

    it('replies to Reply-To, else From; prefixes Re: once; builds References from the parent', () => {
        const withReplyTo = replyEnvelope(
            parent({
                From: 'Alice <alice@example.com>',
                'Reply-To': 'List <list@example.com>',
                To: 'me@example.com',
                Subject: 'Plans',
                'Message-ID': '<p2@example.com>',
                References: '<p0@example.com> <p1@example.com> <broken>'
            }),
            'me@example.com',
            false
        );
        expect(withReplyTo).toEqual({
            to: [{ email: 'list@example.com', name: 'List' }],
            cc: [],
            subject: 'Re: Plans',
            inReplyTo: '<p2@example.com>',
            references: ['<p0@example.com>', '<p1@example.com>', '<p2@example.com>']
        });
        const already = replyEnvelope(
            parent({ From: 'alice@example.com', Subject: 'RE: =?UTF-8?Q?Caf=C3=A9?=', 'Message-ID': '<p@x.com>' }),
            'me@example.com',
            false
        );
        expect(already.subject).toBe('RE: Café');
        expect(already.to).toEqual([{ email: 'alice@example.com' }]);
    });

    it('reply-all adds To and Cc without the user (any case) and without duplicates', () => {
        const envelope = replyEnvelope(
            parent({
                From: 'Alice <alice@example.com>',
                To: 'Me <ME@Example.com>, bob@example.com, Alice <alice@example.com>',
                Cc: 'carol@example.com, bob@example.com',
                Subject: 'Plans',
                'Message-ID': '<p@x.com>'
            }),
            'me@example.com',
            true
        );
        expect(envelope.to).toEqual([{ email: 'alice@example.com', name: 'Alice' }]);
        expect(envelope.cc).toEqual([{ email: 'bob@example.com' }, { email: 'carol@example.com' }]);
    });

    it("replying to one's own message goes to its recipients, as Gmail does", () => {
        const envelope = replyEnvelope(
            parent({
                From: 'Me <me@example.com>',
                To: 'bob@example.com',
                Cc: 'carol@example.com',
                Subject: 'Hi',
                'Message-ID': '<p@x.com>'
            }),
            'me@example.com',
            true
        );
        expect(envelope.to).toEqual([{ email: 'bob@example.com' }]);
        expect(envelope.cc).toEqual([{ email: 'carol@example.com' }]);
    });
});
