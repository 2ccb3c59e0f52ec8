/**
 * Turning Gmail's MIME trees and raw header values into text.
 *
 * Gmail undoes the Content-Transfer-Encoding (quoted-printable, base64) before it answers: `body.data` is base64url
 * of the part's bytes, still in the part's charset. Header values come back raw, so RFC 2047 encoded words
 * (`=?UTF-8?B?...?=`) are ours to decode. Nango's sandbox has no TextDecoder: Buffer decodes UTF-8, Latin-1 and
 * UTF-16LE, and the table below adds windows-1252; any other charset is read as UTF-8 and reported.
 */
import type { GmailAttachment } from '../../models.js';
import type { GmailHeader, GmailMessagePart } from './schemas.js';

/** Unicode code points for windows-1252 bytes 0x80-0x9F; the five undefined bytes map to the C1 control of the same value, as WHATWG does. */
const WINDOWS_1252_HIGH = [
    0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d, 0x17d, 0x8f, 0x90, 0x2018,
    0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178
];

type Decoder = (bytes: Buffer) => string;

const decodeUtf8: Decoder = (bytes) => {
    const text = bytes.toString('utf8');
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
};

const decodeWindows1252: Decoder = (bytes) => {
    let out = '';
    for (const byte of bytes) {
        out += String.fromCharCode(byte >= 0x80 && byte <= 0x9f ? (WINDOWS_1252_HIGH[byte - 0x80] as number) : byte);
    }
    return out;
};

function swapPairs(bytes: Buffer): Buffer {
    const swapped = Buffer.alloc(bytes.length - (bytes.length % 2));
    for (let i = 0; i + 1 < bytes.length; i += 2) {
        swapped[i] = bytes[i + 1] as number;
        swapped[i + 1] = bytes[i] as number;
    }
    return swapped;
}

const decodeUtf16le: Decoder = (bytes) => {
    const start = bytes[0] === 0xff && bytes[1] === 0xfe ? 2 : 0;
    return bytes.subarray(start).toString('utf16le');
};

const decodeUtf16be: Decoder = (bytes) => {
    const start = bytes[0] === 0xfe && bytes[1] === 0xff ? 2 : 0;
    return swapPairs(bytes.subarray(start)).toString('utf16le');
};

/** RFC 2781: a BOM decides; without one, UTF-16 is big-endian. */
const decodeUtf16: Decoder = (bytes) => (bytes[0] === 0xff && bytes[1] === 0xfe ? decodeUtf16le(bytes) : decodeUtf16be(bytes));

// Latin-1 and US-ASCII labels decode as windows-1252, as every browser and mail client does (WHATWG Encoding):
// mail labelled ISO-8859-1 that holds 0x80-0x9F bytes almost always meant curly quotes and euro signs, not C1 controls.
const DECODERS: Record<string, Decoder> = {
    'utf-8': decodeUtf8,
    utf8: decodeUtf8,
    'unicode-1-1-utf-8': decodeUtf8,
    'us-ascii': decodeWindows1252,
    ascii: decodeWindows1252,
    'iso-8859-1': decodeWindows1252,
    'iso8859-1': decodeWindows1252,
    iso_8859_1: decodeWindows1252,
    'iso_8859-1': decodeWindows1252,
    latin1: decodeWindows1252,
    l1: decodeWindows1252,
    cp819: decodeWindows1252,
    'windows-1252': decodeWindows1252,
    cp1252: decodeWindows1252,
    'x-cp1252': decodeWindows1252,
    'utf-16': decodeUtf16,
    utf16: decodeUtf16,
    'utf-16le': decodeUtf16le,
    'utf-16be': decodeUtf16be
};

export interface DecodeNotes {
    /** Charsets met that we cannot decode; their bytes were read as UTF-8. */
    unknownCharsets: Set<string>;
}

export function newDecodeNotes(): DecodeNotes {
    return { unknownCharsets: new Set() };
}

/** Decodes bytes in `charset` (a MIME charset label, any case); null or empty means US-ASCII per RFC 2045, read leniently. */
export function decodeCharset(bytes: Buffer, charset: string | null, notes?: DecodeNotes): string {
    const label = (charset ?? '').trim().toLowerCase().replace(/^"|"$/g, '');
    if (label === '') return looksLikeUtf8(bytes) ? decodeUtf8(bytes) : decodeWindows1252(bytes);
    const decoder = DECODERS[label];
    // Mailers that write UTF-8 under a Latin-1 or ASCII label are common; bytes that are valid UTF-8 with at least one
    // multi-byte sequence are almost never real Latin-1 text (it would take `Ã©`-like pairs), so UTF-8 wins, as
    // Thunderbird and Apple Mail read them.
    if (decoder === decodeWindows1252 && isMultibyteUtf8(bytes)) return decodeUtf8(bytes);
    if (decoder) return decoder(bytes);
    notes?.unknownCharsets.add(label);
    return decodeUtf8(bytes);
}

function isMultibyteUtf8(bytes: Buffer): boolean {
    return bytes.some((byte) => byte >= 0x80) && !bytes.toString('utf8').includes('\ufffd');
}

/** Mail without a charset is meant to be ASCII but is often UTF-8 in practice; anything else falls back to windows-1252. */
function looksLikeUtf8(bytes: Buffer): boolean {
    const replacements = bytes.toString('utf8').split('\ufffd').length - 1;
    if (replacements === 0) return true;
    // Replacement characters that were in the text itself are not decoding errors.
    return replacements === bytes.toString('latin1').split('\u00ef\u00bf\u00bd').length - 1;
}

/** Gmail's `body.data`: base64url, sometimes with standard-alphabet characters or padding. */
export function decodeBase64Url(data: string): Buffer {
    return Buffer.from(data.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}

// An encoded word (RFC 2047 §2), with an optional RFC 2231 language tag after the charset.
const ENCODED_WORD = /=\?([^?\s*]+)(?:\*[^?\s]*)?\?([bBqQ])\?([^?\s]*)\?=/g;

/** Decodes the RFC 2047 encoded words of a header value; whitespace between two adjacent encoded words is dropped. */
export function decodeHeaderValue(value: string, notes?: DecodeNotes): string {
    if (!value.includes('=?')) return value;
    // Adjacent words in the same charset are joined before decoding, since a multi-byte character may be split across them.
    const pieces: { encoded: boolean; charset: string; bytes: Buffer; text: string }[] = [];
    let last = 0;
    for (const match of value.matchAll(ENCODED_WORD)) {
        const between = value.slice(last, match.index);
        const previous = pieces[pieces.length - 1];
        if (between !== '' && !(previous?.encoded && /^[ \t\r\n]+$/.test(between))) {
            pieces.push({ encoded: false, charset: '', bytes: Buffer.alloc(0), text: between });
        }
        const charset = (match[1] ?? '').toLowerCase();
        const bytes = (match[2] ?? '').toLowerCase() === 'b' ? Buffer.from(match[3] ?? '', 'base64') : decodeQ(match[3] ?? '');
        const tail = pieces[pieces.length - 1];
        if (tail?.encoded && tail.charset === charset) tail.bytes = Buffer.concat([tail.bytes, bytes]);
        else pieces.push({ encoded: true, charset, bytes, text: '' });
        last = (match.index ?? 0) + match[0].length;
    }
    const rest = value.slice(last);
    if (rest !== '') pieces.push({ encoded: false, charset: '', bytes: Buffer.alloc(0), text: rest });
    return pieces.map((piece) => (piece.encoded ? decodeCharset(piece.bytes, piece.charset, notes) : piece.text)).join('');
}

/** The "Q" encoding: quoted-printable where `_` is a space. */
function decodeQ(text: string): Buffer {
    const bytes: number[] = [];
    for (let i = 0; i < text.length; i += 1) {
        const char = text[i] as string;
        if (char === '_') bytes.push(0x20);
        else if (char === '=' && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 1, i + 3))) {
            bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
            i += 2;
        } else bytes.push(char.charCodeAt(0) & 0xff);
    }
    return Buffer.from(bytes);
}

/** Splits `type/subtype; a=b; c="d"` into a lower-case type and its parameters (names lower-case). */
export function parseContentType(value: string | null): { type: string; params: Record<string, string> } {
    if (!value) return { type: 'text/plain', params: {} };
    const [head, ...rest] = splitOutsideQuotes(value, ';');
    const params: Record<string, string> = {};
    for (const item of rest) {
        const eq = item.indexOf('=');
        if (eq <= 0) continue;
        const name = item.slice(0, eq).trim().toLowerCase();
        let paramValue = item.slice(eq + 1).trim();
        if (paramValue.startsWith('"') && paramValue.endsWith('"') && paramValue.length >= 2) {
            paramValue = paramValue.slice(1, -1).replace(/\\(.)/g, '$1');
        }
        params[name] = paramValue;
    }
    return { type: (head ?? '').trim().toLowerCase() || 'text/plain', params };
}

/** Splits on `separator` where it stands outside a quoted string (quoted-pair escapes kept as they are). */
export function splitOutsideQuotes(value: string, separator: string): string[] {
    const parts: string[] = [];
    let current = '';
    let quoted = false;
    for (let i = 0; i < value.length; i += 1) {
        const char = value[i] as string;
        if (char === '\\' && quoted) {
            current += char + (value[i + 1] ?? '');
            i += 1;
            continue;
        }
        if (char === '"') quoted = !quoted;
        if (char === separator && !quoted) {
            parts.push(current);
            current = '';
        } else current += char;
    }
    parts.push(current);
    return parts;
}

export interface BodyAttachment extends GmailAttachment {
    /** Shown inside the HTML body (`Content-Disposition: inline` with a Content-ID), not offered as a file. */
    inline: boolean;
}

export interface MessageContent {
    text: string | null;
    html: string | null;
    attachments: BodyAttachment[];
}

export function headerValue(headers: readonly GmailHeader[] | null | undefined, name: string): string | null {
    const lower = name.toLowerCase();
    return headers?.find((header) => header.name.toLowerCase() === lower)?.value ?? null;
}

/**
 * The readable bodies and the attachments of a Gmail payload tree. Text parts that are not attachments are joined in
 * document order (a multipart/alternative gives one text and one HTML). Attached messages (message/rfc822) are
 * attachments: their bodies are not the reader's message.
 */
export function readPayload(payload: GmailMessagePart, notes?: DecodeNotes): MessageContent {
    const texts: string[] = [];
    const htmls: string[] = [];
    const attachments: BodyAttachment[] = [];
    const visit = (part: GmailMessagePart): void => {
        const contentType = parseContentType(headerValue(part.headers, 'Content-Type') ?? part.mimeType ?? null);
        const mimeType = (part.mimeType ?? contentType.type).toLowerCase();
        const disposition = parseContentType(headerValue(part.headers, 'Content-Disposition')).type;
        const filename = decodeHeaderValue(part.filename ?? '', notes);
        const children = part.parts ?? [];
        if (mimeType.startsWith('multipart/') || (children.length > 0 && mimeType !== 'message/rfc822')) {
            for (const child of children) visit(child);
            return;
        }
        const data = part.body?.data;
        const isBodyText = (mimeType === 'text/plain' || mimeType === 'text/html') && filename === '' && disposition !== 'attachment';
        if (isBodyText && typeof data === 'string') {
            const text = decodeCharset(decodeBase64Url(data), contentType.params['charset'] ?? null, notes);
            (mimeType === 'text/html' ? htmls : texts).push(text);
            return;
        }
        if (isBodyText && !part.body?.attachmentId) return; // an empty body part
        const contentId = headerValue(part.headers, 'Content-ID');
        attachments.push({
            filename,
            mimeType,
            size: part.body?.size ?? 0,
            attachmentId: part.body?.attachmentId ?? null,
            contentId: contentId ? contentId.trim().replace(/^<|>$/g, '') : null,
            inline: disposition === 'inline' && contentId !== null
        });
    };
    visit(payload);
    return {
        text: texts.length > 0 ? texts.join('\n') : null,
        html: htmls.length > 0 ? htmls.join('\n') : null,
        attachments
    };
}
