import { Random } from '../common/random.js';
import { encodeCharset, encodeWords, type Charset } from './compose.js';
import type { MimeNode } from './mime.js';
import { applyShape, shapeOf } from './shapes.js';

/**
 * Deterministic mail content. A stored message keeps only its seeds; its MIME tree is rebuilt from them on each
 * read, so a 100k-thread mailbox costs a few numbers per message. Content covers what breaks mail parsers: encoded
 * words in names and subjects, UTF-8, ISO-8859-1 and windows-1252 bodies, quoted-printable and base64, HTML-only
 * mail, attachments with RFC 2231 names, inline images referenced by Content-ID.
 */

export interface Person {
    name: string;
    address: string;
}

const firstNames = [
    'Ada',
    'José',
    'Zoë',
    'Björn',
    'Chloé',
    'Hiroshi',
    'Amélie',
    'Søren',
    'Priya',
    'Łukasz',
    'Grace',
    'Omar',
    'Nuño',
    'Mei',
    'Dvořák'
];
const lastNames = [
    'Lovelace',
    'Müller',
    "O'Brien",
    'Ångström',
    'García',
    'Tanaka',
    'Dubois',
    'Kowalski',
    'Nguyễn',
    'Smith',
    'Rossi',
    'Øster'
];
const domains = ['example.com', 'example.org', 'acme.test', 'müller-bau.example', 'mail.example.net'];
const cjkNames = ['王芳', '田中 太郎', '김민준', 'Алексей Петров', 'Μαρία Παππά'];

const subjects = [
    'Quarterly report',
    'Lunch on Friday?',
    'Invoice #{n} overdue',
    'Réunion de lundi',
    'Über die Präsentation',
    'Café meeting — notes',
    'Re-org plan “draft 2”',
    '会議の議事録',
    'Offer letter',
    'Your order {n} has shipped',
    'Budget €{n}k approval',
    'Weekly sync',
    'Travel plans: São Paulo',
    'Fwd: contract',
    'Déjà vu bug in prod'
];

const words =
    'the project plan meeting budget review draft team customer release schedule report question update deadline office travel contract invoice design feedback'.split(
        ' '
    );
const accentWords: Readonly<Record<Charset, string[]>> = {
    'utf-8': ['naïve', 'café', 'déjà vu', '東京', 'Straße', '✓ done', '🎉', 'Zürich', 'piñata', 'façade'],
    'iso-8859-1': ['café', 'crème brûlée', 'Señor', 'Øre', 'naïve', 'Zürich', 'garçon', 'Ångström'],
    'windows-1252': ['“quoted”', 'it’s', '– dash', '€5', '… more', 'Œuvre', 'café'],
    'us-ascii': ['plain', 'ascii', 'simple']
};

export const ownerName = 'Morgan Lee';

/** The seeded address book the counterparts of threads are drawn from. */
export function makePeople(seed: number, count = 200): Person[] {
    const random = new Random(seed ^ 0x5eed);
    const people: Person[] = [];
    for (let i = 0; i < count; i += 1) {
        const name = random.chance(0.1) ? random.pick(cjkNames) : `${random.pick(firstNames)} ${random.pick(lastNames)}`;
        const local = `${
            name
                .normalize('NFKD')
                .replace(/[^A-Za-z ]/g, '')
                .trim()
                .toLowerCase()
                .replace(/\s+/g, '.') || 'user'
        }${i}`;
        const domain = random.pick(domains).replace('ü', 'u');
        people.push({ name, address: `${local}@${domain}` });
    }
    return people;
}

export function formatAddress(person: Person): string {
    if (/^[\x20-\x7e]*$/.test(person.name)) {
        const needsQuotes = /[()<>[\]:;@\\,."]/.test(person.name);
        return `${needsQuotes ? `"${person.name.replace(/["\\]/g, '\\$&')}"` : person.name} <${person.address}>`;
    }
    return `${encodeWords(person.name, 'utf-8', 'B')} <${person.address}>`;
}

export function threadSubject(threadSeed: number): string {
    const random = new Random(threadSeed);
    return random.pick(subjects).replace('{n}', String(random.int(100, 9999)));
}

/** One to three people the owner corresponds with in a thread. */
export function threadCounterparts(threadSeed: number, people: readonly Person[]): Person[] {
    const random = new Random(threadSeed ^ 0xc0ffee);
    const count = random.int(1, 3);
    const chosen: Person[] = [];
    for (let i = 0; i < count; i += 1) chosen.push(random.pick(people));
    return chosen;
}

export function generatedMessageId(gmailId: string): string {
    return `<CA+${gmailId}.sim@mail.gmail.com>`;
}

type Kind = 'plain-utf8' | 'plain-latin1' | 'alternative' | 'alternative-1252' | 'mixed' | 'related' | 'html-latin1';
const kinds: Kind[] = [
    'plain-utf8',
    'plain-latin1',
    'alternative',
    'alternative-1252',
    'mixed',
    'related',
    'html-latin1',
    'alternative',
    'plain-utf8',
    'mixed'
];

function kindOf(messageSeed: number): Kind {
    return kinds[messageSeed % kinds.length]!;
}

/** Cheap answers for search (`has:attachment`) without building the message. */
export function generatedHasAttachment(messageSeed: number): boolean {
    return kindOf(messageSeed) === 'mixed';
}

function sentence(random: Random, charset: Charset): string {
    const length = random.int(6, 16);
    const picked: string[] = [];
    for (let i = 0; i < length; i += 1) picked.push(random.chance(0.12) ? random.pick(accentWords[charset]) : random.pick(words));
    const text = picked.join(' ');
    return `${text[0]!.toUpperCase()}${text.slice(1)}.`;
}

function paragraphs(random: Random, charset: Charset): string[] {
    const count = random.int(1, 4);
    const out: string[] = [];
    for (let i = 0; i < count; i += 1) {
        const sentences: string[] = [];
        for (let j = random.int(1, 4); j > 0; j -= 1) sentences.push(sentence(random, charset));
        out.push(sentences.join(' '));
    }
    return out;
}

function escapeHtml(text: string): string {
    return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Long lines, as real mailers write, so quoted-printable soft breaks appear. */
function plainText(paras: string[]): string {
    return `${paras.join('\n\n')}\n`;
}

function htmlText(paras: string[], imageCid?: string): string {
    const body = paras.map((p) => `<p>${escapeHtml(p)}</p>`).join('\n');
    const image = imageCid ? `\n<p><img src="cid:${imageCid}" alt="logo" width="64" height="64"></p>` : '';
    return `<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head>\n<body><div dir="ltr">\n${body}${image}\n</div></body></html>\n`;
}

function leaf(mimeType: string, charset: Charset, text: string, encoding: string): MimeNode {
    return {
        headers: [
            ['Content-Type', `${mimeType}; charset="${charset.toUpperCase()}"`],
            ['Content-Transfer-Encoding', encoding]
        ],
        mimeType,
        params: { charset },
        body: encodeCharset(text, charset),
        parts: []
    };
}

function multipart(subtype: string, boundary: string, parts: MimeNode[], extra: Record<string, string> = {}): MimeNode {
    const extraParams = Object.entries(extra)
        .map(([key, value]) => `; ${key}="${value}"`)
        .join('');
    return {
        headers: [['Content-Type', `multipart/${subtype}; boundary="${boundary}"${extraParams}`]],
        mimeType: `multipart/${subtype}`,
        params: { boundary, ...extra },
        body: Buffer.alloc(0),
        parts
    };
}

/** Pseudo-random file bytes behind a magic number: one draw from `random`, then a cheap xorshift, 4 bytes a step. */
function binary(random: Random, size: number, magic: string): Buffer {
    const words = new Uint32Array(Math.ceil(size / 4));
    let x = random.int(1, 2 ** 30) | 1;
    for (let i = 0; i < words.length; i += 1) {
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        words[i] = x >>> 0;
    }
    const bytes = Buffer.from(words.buffer, 0, size);
    bytes.write(magic, 0, 'latin1');
    return bytes;
}

const attachmentNames = [
    { filename: 'report-Q3.pdf', mimeType: 'application/pdf', magic: '%PDF-1.4\n' },
    { filename: 'Übersicht 2025.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', magic: 'PK\x03\x04' },
    { filename: 'photo.jpg', mimeType: 'image/jpeg', magic: '\xff\xd8\xff\xe0' },
    { filename: 'notes.txt', mimeType: 'text/plain', magic: 'notes\n' },
    { filename: 'contrat signé.pdf', mimeType: 'application/pdf', magic: '%PDF-1.7\n' }
];

function attachment(random: Random): MimeNode {
    const spec = random.pick(attachmentNames);
    const size = random.int(200, 24_000);
    const ascii = /^[\x20-\x7e]*$/.test(spec.filename);
    const rfc2231 = `UTF-8''${encodeURIComponent(spec.filename)}`;
    const disposition = ascii ? `attachment; filename="${spec.filename}"` : `attachment; filename*=${rfc2231}`;
    const typeName = ascii ? `; name="${spec.filename}"` : `; name="${encodeWords(spec.filename)}"`;
    return {
        headers: [
            ['Content-Type', `${spec.mimeType}${typeName}`],
            ['Content-Disposition', disposition],
            ['Content-Transfer-Encoding', 'base64']
        ],
        mimeType: spec.mimeType,
        params: { name: spec.filename },
        body: binary(random, size, spec.magic),
        parts: []
    };
}

function inlineImage(random: Random, cid: string): MimeNode {
    return {
        headers: [
            ['Content-Type', 'image/png; name="logo.png"'],
            ['Content-Disposition', 'inline; filename="logo.png"'],
            ['Content-Transfer-Encoding', 'base64'],
            ['Content-ID', `<${cid}>`],
            ['X-Attachment-Id', cid.split('@')[0]!]
        ],
        mimeType: 'image/png',
        params: { name: 'logo.png' },
        body: binary(random, random.int(300, 4000), '\x89PNG\r\n\x1a\n'),
        parts: []
    };
}

function contentTree(messageSeed: number, gmailId: string): MimeNode {
    const random = new Random(messageSeed);
    const kind = kindOf(messageSeed);
    const boundary = (n: number): string => `000000000000${gmailId}${n}`;
    switch (kind) {
        case 'plain-utf8': {
            const paras = paragraphs(random, 'utf-8');
            return leaf('text/plain', 'utf-8', plainText(paras), random.chance(0.5) ? 'quoted-printable' : '8bit');
        }
        case 'plain-latin1':
            return leaf('text/plain', 'iso-8859-1', plainText(paragraphs(random, 'iso-8859-1')), 'quoted-printable');
        case 'html-latin1':
            return leaf('text/html', 'iso-8859-1', htmlText(paragraphs(random, 'iso-8859-1')), 'base64');
        case 'alternative': {
            const paras = paragraphs(random, 'utf-8');
            return multipart('alternative', boundary(1), [
                leaf('text/plain', 'utf-8', plainText(paras), 'quoted-printable'),
                leaf('text/html', 'utf-8', htmlText(paras), random.chance(0.5) ? 'quoted-printable' : 'base64')
            ]);
        }
        case 'alternative-1252': {
            const paras = paragraphs(random, 'windows-1252');
            return multipart('alternative', boundary(1), [
                leaf('text/plain', 'windows-1252', plainText(paras), 'quoted-printable'),
                leaf('text/html', 'windows-1252', htmlText(paras), 'base64')
            ]);
        }
        case 'mixed': {
            const paras = paragraphs(random, 'utf-8');
            const body = multipart('alternative', boundary(2), [
                leaf('text/plain', 'utf-8', plainText(paras), 'quoted-printable'),
                leaf('text/html', 'utf-8', htmlText(paras), 'quoted-printable')
            ]);
            const files = [attachment(random)];
            if (random.chance(0.3)) files.push(attachment(random));
            return multipart('mixed', boundary(1), [body, ...files]);
        }
        case 'related': {
            const paras = paragraphs(random, 'utf-8');
            const cid = `ii_${gmailId}@sim`;
            return multipart('alternative', boundary(1), [
                leaf('text/plain', 'utf-8', plainText(paras), 'quoted-printable'),
                multipart('related', boundary(2), [
                    leaf('text/html', 'utf-8', htmlText(paras, cid), 'quoted-printable'),
                    inlineImage(random, cid)
                ])
            ]);
        }
    }
}

export interface GeneratedMessage {
    owner: Person;
    people: readonly Person[];
    threadSeed: number;
    messageSeed: number;
    gmailId: string;
    /** 0 for the message that starts the thread. */
    position: number;
    /** Gmail ids of the thread's first message and of the message this one answers (References keeps both ends). */
    root?: string | undefined;
    parent?: string | undefined;
    fromOwner: boolean;
    internalDate: number;
}

/** Builds the full MIME tree of a generated message, headers first as a mailer writes them. */
export function generateMessage(spec: GeneratedMessage, shaped = true): MimeNode {
    const counterparts = threadCounterparts(spec.threadSeed, spec.people);
    const position = spec.position;
    const sender = spec.fromOwner ? spec.owner : counterparts[position % counterparts.length]!;
    const recipients = spec.fromOwner ? counterparts : [spec.owner];
    const others = spec.fromOwner ? [] : counterparts.filter((person) => person !== sender);
    const baseSubject = threadSubject(spec.threadSeed);
    const subject = position > 0 ? `Re: ${baseSubject}` : baseSubject;
    const subjectCharset: Charset = new Random(spec.threadSeed ^ 0x5ab).chance(0.3) ? 'iso-8859-1' : 'utf-8';
    const content = contentTree(spec.messageSeed, spec.gmailId);
    const headers: [string, string][] = [
        ['MIME-Version', '1.0'],
        ['Date', rfc2822Date(spec.internalDate, senderOffsets[spec.messageSeed % senderOffsets.length]!)],
        ['Message-ID', generatedMessageId(spec.gmailId)]
    ];
    if (spec.parent) {
        const refs = [...new Set([spec.root ?? spec.parent, spec.parent])].map(generatedMessageId);
        headers.push(['In-Reply-To', refs[refs.length - 1]!], ['References', refs.join('\r\n ')]);
    }
    headers.push([
        'Subject',
        encodeWords(subject, /^[\x20-\xff]*$/.test(subject) ? subjectCharset : 'utf-8', subjectCharset === 'utf-8' ? 'B' : 'Q')
    ]);
    headers.push(['From', formatAddress(sender)], ['To', recipients.map(formatAddress).join(',\r\n ')]);
    if (others.length > 0) headers.push(['Cc', others.map(formatAddress).join(', ')]);
    headers.push(...listHeaders(spec, sender));
    const tree = { ...content, headers: [...headers, ...content.headers] };
    return shaped ? applyShape(tree, shapeOf(spec.messageSeed, spec.fromOwner), spec.gmailId) : tree;
}

/**
 * Reply-To and List-Unsubscribe on some mail from others, drawn from a generator of their own so the draws of the
 * content above stay as they were. List-Unsubscribe is folded after its comma, as long header lines are (RFC 5322 §2.2.3).
 */
function listHeaders(spec: GeneratedMessage, sender: Person): [string, string][] {
    if (spec.fromOwner) return [];
    const random = new Random(spec.messageSeed ^ 0x1157);
    const headers: [string, string][] = [];
    if (random.chance(0.15)) {
        const [local, domain] = sender.address.split('@') as [string, string];
        headers.push(['Reply-To', `${formatAddress({ name: `${sender.name} Replies`, address: `replies+${local}@${domain}` })}`]);
    }
    if (random.chance(0.2)) {
        const token = `${spec.gmailId}${random.int(1000, 9999)}`;
        headers.push([
            'List-Unsubscribe',
            `<mailto:unsubscribe+${token}@lists.example.com?subject=unsubscribe>,\r\n <https://lists.example.com/u/${token}>`
        ]);
    }
    return headers;
}

const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Senders write their local time; the Date header's offset varies while internalDate stays UTC. */
const senderOffsets = [0, -420, 60, 120, 330, -300, 540, -180];

export function rfc2822Date(ms: number, offsetMinutes = 0): string {
    const d = new Date(ms + offsetMinutes * 60_000);
    const pad = (n: number): string => String(n).padStart(2, '0');
    const sign = offsetMinutes < 0 ? '-' : '+';
    const offset = `${sign}${pad(Math.floor(Math.abs(offsetMinutes) / 60))}${pad(Math.abs(offsetMinutes) % 60)}`;
    return `${days[d.getUTCDay()]}, ${d.getUTCDate()} ${months[d.getUTCMonth()]} ${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${offset}`;
}
