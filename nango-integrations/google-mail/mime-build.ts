/**
 * Builds RFC 5322 / MIME messages for Gmail's messages.send: CRLF line ends, 7-bit output only (non-ASCII text goes
 * through quoted-printable, base64 or RFC 2047 encoded words), lines within 78 characters where the RFC asks it and
 * never over 998, multipart/alternative for text + HTML, multipart/mixed for attachments.
 *
 * Header injection is impossible by construction: every value that reaches a header is checked for CR and LF (and
 * NUL) first, and refused with the field named; what is written is either a checked value or our own encoding.
 */
import { createHash, randomBytes } from 'crypto';
import { isValidEmail } from '../shared/email.js';
import { splitOutsideQuotes } from './mime-decode.js';

export interface MailAddress {
    email: string;
    name?: string | undefined;
}

export interface MailAttachment {
    filename: string;
    mimeType: string;
    content: Buffer;
}

export interface OutgoingMessage {
    from?: MailAddress | undefined;
    to: readonly MailAddress[];
    cc?: readonly MailAddress[] | undefined;
    bcc?: readonly MailAddress[] | undefined;
    replyTo?: MailAddress | undefined;
    subject: string;
    text?: string | undefined;
    html?: string | undefined;
    attachments?: readonly MailAttachment[] | undefined;
    /** `<unique@domain>`, see newMessageId. */
    messageId: string;
    date: Date;
    inReplyTo?: string | undefined;
    references?: readonly string[] | undefined;
}

/** Input the builder refuses; `field` is the path of the offending input field, e.g. `to[1].email`. */
export class MimeInputError extends Error {
    constructor(
        readonly field: string,
        message: string
    ) {
        super(`${field}: ${message}`);
        this.name = 'MimeInputError';
    }
}

const CRLF = '\r\n';
const MAX_LINE = 76;
const MAX_HEADER_LINE = 78;
const ENCODED_WORD_BYTES = 39;

/** A Message-ID we choose ourselves, so a caller can find the message in SENT after a send whose outcome is unknown. */
export function newMessageId(domain: string, now: number = Date.now()): string {
    return `<${now.toString(36)}.${randomBytes(12).toString('hex')}@${messageIdHost(domain)}>`;
}

/** The same id for the same key and domain, every time: a retried send can find the message it may have sent. */
export function keyedMessageId(domain: string, key: string): string {
    return `<key.${createHash('sha256').update(key, 'utf8').digest('hex').slice(0, 40)}@${messageIdHost(domain)}>`;
}

function messageIdHost(domain: string): string {
    return /^[A-Za-z0-9.-]+$/.test(domain) && domain.includes('.') ? domain : 'mail.local';
}

export function buildMessage(
    message: OutgoingMessage,
    random: (bytes: number) => string = (bytes) => randomBytes(bytes).toString('hex')
): string {
    validate(message);
    const headers: string[] = [];
    headers.push(foldHeader('Date', formatDate(message.date)));
    if (message.from) headers.push(addressHeader('From', [message.from]));
    if (message.to.length > 0) headers.push(addressHeader('To', message.to));
    if (message.cc && message.cc.length > 0) headers.push(addressHeader('Cc', message.cc));
    if (message.bcc && message.bcc.length > 0) headers.push(addressHeader('Bcc', message.bcc));
    if (message.replyTo) headers.push(addressHeader('Reply-To', [message.replyTo]));
    headers.push(foldHeader('Subject', encodeUnstructured(message.subject)));
    headers.push(foldHeader('Message-ID', message.messageId));
    if (message.inReplyTo) headers.push(foldHeader('In-Reply-To', message.inReplyTo));
    if (message.references && message.references.length > 0) headers.push(foldHeader('References', message.references.join(' ')));
    headers.push('MIME-Version: 1.0');
    const root = bodyPart(message, random);
    return [...headers, ...root.headers].join(CRLF) + CRLF + CRLF + root.body;
}

// ------------------------------------------------------------------------------------------------------------------
// Validation
// ------------------------------------------------------------------------------------------------------------------

const MIME_TYPE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$/;
const MESSAGE_ID = /^<[^<>\s"]+@[^<>\s"]+>$/;

export function isValidMessageId(id: string): boolean {
    return MESSAGE_ID.test(id);
}

// C0 controls but TAB (white space in a header, RFC 5322 WSP), DEL, and C1 controls.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const HEADER_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

/**
 * CR or LF would end the header and start a new one; NUL is refused by mail systems; other control characters have
 * no place in a subject or a name (RFC 5322 unstructured text is printable characters and white space). Lone
 * surrogates cannot be encoded.
 */
export function checkHeaderText(field: string, value: string): void {
    if (/[\r\n]/.test(value)) throw new MimeInputError(field, 'must not contain CR or LF (line breaks are not allowed in a header)');
    if (value.includes('\0')) throw new MimeInputError(field, 'must not contain NUL characters');
    const control = HEADER_CONTROL.exec(value)?.[0];
    if (control !== undefined) {
        const code = `U+${control.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
        throw new MimeInputError(field, `must not contain control characters (${code})`);
    }
    if (/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(value)) {
        throw new MimeInputError(field, 'is not valid Unicode (unpaired surrogate)');
    }
}

function checkAddress(field: string, address: MailAddress): void {
    checkHeaderText(`${field}.email`, address.email);
    if (!isValidEmail(address.email))
        throw new MimeInputError(`${field}.email`, `is not a valid email address: ${JSON.stringify(address.email)}`);
    if (address.name !== undefined) checkHeaderText(`${field}.name`, address.name);
}

function checkBody(field: string, value: string): void {
    if (value.includes('\0')) throw new MimeInputError(field, 'must not contain NUL characters');
    if (/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(value)) {
        throw new MimeInputError(field, 'is not valid Unicode (unpaired surrogate)');
    }
}

/** Checks everything a caller supplies (addresses, header texts, bodies, attachments); ids are checked by buildMessage. */
export function validateContent(message: Omit<OutgoingMessage, 'messageId' | 'date' | 'inReplyTo' | 'references'>): void {
    if (message.to.length + (message.cc?.length ?? 0) + (message.bcc?.length ?? 0) === 0) {
        throw new MimeInputError('to', 'at least one recipient (to, cc or bcc) is required');
    }
    if (message.from) checkAddress('from', message.from);
    message.to.forEach((address, i) => checkAddress(`to[${i}]`, address));
    message.cc?.forEach((address, i) => checkAddress(`cc[${i}]`, address));
    message.bcc?.forEach((address, i) => checkAddress(`bcc[${i}]`, address));
    if (message.replyTo) checkAddress('replyTo', message.replyTo);
    checkHeaderText('subject', message.subject);
    if (message.text === undefined && message.html === undefined) throw new MimeInputError('text', 'text or html is required');
    if (message.text !== undefined) checkBody('text', message.text);
    if (message.html !== undefined) checkBody('html', message.html);
    message.attachments?.forEach((attachment, i) => {
        checkHeaderText(`attachments[${i}].filename`, attachment.filename);
        if (attachment.filename.trim() === '') throw new MimeInputError(`attachments[${i}].filename`, 'must not be empty');
        checkHeaderText(`attachments[${i}].mimeType`, attachment.mimeType);
        if (!MIME_TYPE.test(attachment.mimeType)) {
            throw new MimeInputError(
                `attachments[${i}].mimeType`,
                `is not a MIME type (type/subtype): ${JSON.stringify(attachment.mimeType)}`
            );
        }
    });
}

function validate(message: OutgoingMessage): void {
    validateContent(message);
    const ids: [string, string | undefined][] = [
        ['messageId', message.messageId],
        ['inReplyTo', message.inReplyTo],
        ...(message.references ?? []).map((ref, i): [string, string] => [`references[${i}]`, ref])
    ];
    for (const [field, id] of ids) {
        if (id === undefined) continue;
        checkHeaderText(field, id);
        if (!MESSAGE_ID.test(id)) throw new MimeInputError(field, 'must look like <id@domain>');
    }
}

// ------------------------------------------------------------------------------------------------------------------
// Headers
// ------------------------------------------------------------------------------------------------------------------

/**
 * `Name: value`, folded before spaces outside quoted strings so lines stay within 78 characters where a space allows.
 * Folding only turns an existing space into CRLF + space, so unfolding (RFC 5322 §2.2.3) gives back the value exactly.
 */
function foldHeader(name: string, value: string): string {
    const words = splitOutsideQuotes(value, ' ');
    if (value === '') return `${name}:`;
    const lines: string[] = [];
    let line = `${name}: ${words[0] ?? ''}`;
    for (const word of words.slice(1)) {
        // A continuation line of only whitespace is not allowed, so an empty word never starts one.
        if (word !== '' && line.length + 1 + word.length > MAX_HEADER_LINE) {
            lines.push(line);
            line = ` ${word}`;
        } else line += ` ${word}`;
    }
    lines.push(line);
    return lines.join(CRLF);
}

const ATOM_PHRASE = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?: [A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;

/** Plain ASCII we can write as is: printable, single spaces, no leading/trailing space, no `=?` and no over-long word. */
function isPlainAscii(text: string): boolean {
    return /^[\x21-\x7e]+(?: [\x21-\x7e]+)*$/.test(text) && !text.includes('=?') && text.split(' ').every((word) => word.length <= 70);
}

/** A Subject: as is when plain ASCII, else RFC 2047 encoded words. */
function encodeUnstructured(text: string): string {
    if (text === '' || isPlainAscii(text)) return text;
    return encodedWords(text).join(' ');
}

/** A display name: atoms, a quoted string, or encoded words (RFC 2047 §5(3) allows them in a phrase). */
function encodePhrase(name: string): string {
    if (ATOM_PHRASE.test(name) && !name.includes('=?') && name.split(' ').every((word) => word.length <= 70)) return name;
    if (isPlainAscii(name)) return `"${name.replace(/(["\\])/g, '\\$1')}"`;
    return encodedWords(name).join(' ');
}

function formatAddress(address: MailAddress): string {
    if (address.name === undefined || address.name === '') return address.email;
    return `${encodePhrase(address.name)} <${address.email}>`;
}

function addressHeader(name: string, addresses: readonly MailAddress[]): string {
    return foldHeader(name, addresses.map(formatAddress).join(', '));
}

/**
 * `=?UTF-8?B?...?=` words (RFC 2047 §2 allows 75 characters): 39 bytes of UTF-8 make a word of at most 64, so
 * even the first word, behind `Subject: ` or `Reply-To: `, fits a 78-character line. A character is never split
 * across two words (§5: each word must hold whole characters).
 */
export function encodedWords(text: string): string[] {
    const words: string[] = [];
    let chunk = '';
    let chunkBytes = 0;
    for (const char of text) {
        const size = Buffer.byteLength(char, 'utf8');
        if (chunkBytes + size > ENCODED_WORD_BYTES && chunk !== '') {
            words.push(`=?UTF-8?B?${Buffer.from(chunk, 'utf8').toString('base64')}?=`);
            chunk = '';
            chunkBytes = 0;
        }
        chunk += char;
        chunkBytes += size;
    }
    if (chunk !== '') words.push(`=?UTF-8?B?${Buffer.from(chunk, 'utf8').toString('base64')}?=`);
    return words;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** RFC 5322 §3.3 date-time in UTC, e.g. `Thu, 15 Jan 2026 12:00:00 +0000`. */
export function formatDate(date: Date): string {
    const pad = (n: number) => String(n).padStart(2, '0');
    return (
        `${DAYS[date.getUTCDay()]}, ${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()} ` +
        `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`
    );
}

// ------------------------------------------------------------------------------------------------------------------
// Bodies
// ------------------------------------------------------------------------------------------------------------------

interface Part {
    headers: string[];
    body: string;
}

function bodyPart(message: OutgoingMessage, random: (bytes: number) => string): Part {
    const texts: Part[] = [];
    if (message.text !== undefined) texts.push(textPart('plain', message.text));
    if (message.html !== undefined) texts.push(textPart('html', message.html));
    const content = texts.length === 1 ? (texts[0] as Part) : multipart('alternative', texts, random);
    const attachments = message.attachments ?? [];
    if (attachments.length === 0) return content;
    return multipart('mixed', [content, ...attachments.map(attachmentPart)], random);
}

function textPart(subtype: 'plain' | 'html', text: string): Part {
    const bytes = Buffer.from(text.replace(/\r\n|\r|\n/g, '\r\n'), 'utf8');
    let nonAscii = 0;
    for (const byte of bytes) if (byte >= 0x80) nonAscii += 1;
    // Quoted-printable keeps mostly-ASCII text readable; base64 is shorter once a third of the bytes need escaping.
    const base64 = nonAscii * 3 > bytes.length;
    return {
        headers: [`Content-Type: text/${subtype}; charset="UTF-8"`, `Content-Transfer-Encoding: ${base64 ? 'base64' : 'quoted-printable'}`],
        body: base64 ? wrapBase64(bytes) : encodeQuotedPrintable(bytes)
    };
}

function attachmentPart(attachment: MailAttachment): Part {
    return {
        headers: [
            foldHeader('Content-Type', `${attachment.mimeType.toLowerCase()}; ${encodeParam('name', attachment.filename)}`),
            foldHeader('Content-Disposition', `attachment; ${encodeParam('filename', attachment.filename)}`),
            'Content-Transfer-Encoding: base64'
        ],
        body: wrapBase64(attachment.content)
    };
}

function multipart(subtype: 'alternative' | 'mixed', parts: Part[], random: (bytes: number) => string): Part {
    // "=_" cannot occur in quoted-printable or base64 output, so the boundary never collides with a body.
    const boundary = `=_nango_${subtype}_${random(12)}`;
    const body =
        parts.map((part) => `--${boundary}${CRLF}${part.headers.join(CRLF)}${CRLF}${CRLF}${part.body}${CRLF}`).join('') + `--${boundary}--`;
    return { headers: [foldHeader('Content-Type', `multipart/${subtype}; boundary="${boundary}"`)], body };
}

/**
 * RFC 2045 §6.7: bytes 33-126 except `=` as is, other bytes as `=XX`, spaces and tabs as is except at a line end,
 * soft line breaks (`=` CRLF) so no encoded line exceeds 76 characters, CRLF kept as hard line breaks. A line
 * starting with `From ` or `.` has that first character escaped, for mbox and SMTP transports that would alter it.
 */
export function encodeQuotedPrintable(bytes: Buffer): string {
    const lines: string[] = [];
    let start = 0;
    for (let i = 0; i <= bytes.length; i += 1) {
        if (i === bytes.length || (bytes[i] === 0x0d && bytes[i + 1] === 0x0a)) {
            lines.push(encodeQpLine(bytes.subarray(start, i)));
            start = i + 2;
            i += 1;
        }
    }
    return lines.join(CRLF);
}

function encodeQpLine(line: Buffer): string {
    let out = '';
    let width = 0;
    const escapeFirst = line[0] === 0x2e || line.subarray(0, 5).toString('latin1') === 'From ';
    for (let i = 0; i < line.length; i += 1) {
        const byte = line[i] as number;
        const last = i === line.length - 1;
        const literal = ((byte >= 33 && byte <= 126 && byte !== 61) || ((byte === 32 || byte === 9) && !last)) && !(i === 0 && escapeFirst);
        const token = literal ? String.fromCharCode(byte) : `=${byte.toString(16).toUpperCase().padStart(2, '0')}`;
        // Leave room for the soft break's "=" (76 = 75 + "="), and never split an =XX triplet.
        if (width + token.length > MAX_LINE - 1) {
            out += `=${CRLF}`;
            width = 0;
        }
        out += token;
        width += token.length;
    }
    return out;
}

function wrapBase64(bytes: Buffer): string {
    const encoded = bytes.toString('base64');
    const lines: string[] = [];
    for (let i = 0; i < encoded.length; i += MAX_LINE) lines.push(encoded.slice(i, i + MAX_LINE));
    return lines.join(CRLF);
}

/** A MIME parameter: quoted when plain ASCII, else RFC 2231 `name*=UTF-8''…` split into continuations of short lines. */
function encodeParam(name: string, value: string): string {
    if (/^[\x20-\x7e]*$/.test(value) && !/["\\]/.test(value) && value.length <= 60 && !value.includes('=?')) return `${name}="${value}"`;
    let encoded = '';
    for (const byte of Buffer.from(value, 'utf8')) {
        const char = String.fromCharCode(byte);
        encoded += /[A-Za-z0-9!#$&+\-.^_`|~]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    }
    const prefix = "UTF-8''";
    if (prefix.length + encoded.length <= 60) return `${name}*=${prefix}${encoded}`;
    const pieces: string[] = [];
    let rest = prefix + encoded;
    while (rest.length > 0) {
        let size = Math.min(60, rest.length);
        // Do not cut a %XX escape in two.
        const cut = rest.lastIndexOf('%', size - 1);
        if (cut > size - 3 && cut >= 0 && size < rest.length) size = cut === 0 ? 3 : cut;
        pieces.push(rest.slice(0, size));
        rest = rest.slice(size);
    }
    return pieces.map((piece, i) => `${name}*${i}*=${piece}`).join('; ');
}
