import type { MimeNode } from './mime.js';

/**
 * Writes MimeNode trees as RFC 5322 bytes, the way the senders of real mail do (CRLF, folded encoded words,
 * quoted-printable and base64 within 76 columns). Used for the seeded mailbox and for `format=raw`.
 */

const windows1252High: Readonly<Record<string, number>> = {
    '€': 0x80,
    '‚': 0x82,
    ƒ: 0x83,
    '„': 0x84,
    '…': 0x85,
    '†': 0x86,
    '‡': 0x87,
    ˆ: 0x88,
    '‰': 0x89,
    Š: 0x8a,
    '‹': 0x8b,
    Œ: 0x8c,
    Ž: 0x8e,
    '‘': 0x91,
    '’': 0x92,
    '“': 0x93,
    '”': 0x94,
    '•': 0x95,
    '–': 0x96,
    '—': 0x97,
    '˜': 0x98,
    '™': 0x99,
    š: 0x9a,
    '›': 0x9b,
    œ: 0x9c,
    ž: 0x9e,
    Ÿ: 0x9f
};

export type Charset = 'utf-8' | 'iso-8859-1' | 'windows-1252' | 'us-ascii';

/** Text to bytes in `charset`; characters the charset lacks become `?`, as a legacy mailer would send them. */
export function encodeCharset(text: string, charset: Charset): Buffer {
    if (charset === 'utf-8') return Buffer.from(text, 'utf8');
    const bytes: number[] = [];
    for (const char of text) {
        const code = char.codePointAt(0)!;
        if (code < 0x80 || (charset !== 'us-ascii' && code >= 0xa0 && code <= 0xff)) bytes.push(code);
        else if (charset === 'windows-1252' && windows1252High[char] !== undefined) bytes.push(windows1252High[char]);
        else bytes.push(0x3f);
    }
    return Buffer.from(bytes);
}

export function encodeQuotedPrintable(bytes: Buffer): string {
    const lines: string[] = [];
    const source = bytes.toString('latin1').split(/\r?\n/);
    for (const sourceLine of source) {
        let line = '';
        for (let i = 0; i < sourceLine.length; i += 1) {
            const code = sourceLine.charCodeAt(i);
            const last = i === sourceLine.length - 1;
            const plain = (code >= 33 && code <= 126 && code !== 61) || ((code === 32 || code === 9) && !last);
            const token = plain ? sourceLine[i]! : `=${code.toString(16).toUpperCase().padStart(2, '0')}`;
            if (line.length + token.length > 75) {
                lines.push(`${line}=`);
                line = '';
            }
            line += token;
        }
        lines.push(line);
    }
    return lines.join('\r\n');
}

export function encodeBase64Lines(bytes: Buffer): string {
    const text = bytes.toString('base64');
    const lines: string[] = [];
    for (let i = 0; i < text.length; i += 76) lines.push(text.slice(i, i + 76));
    return lines.join('\r\n');
}

/** RFC 2047 encoded words for a header value that is not plain ASCII; each word within 75 characters. */
export function encodeWords(text: string, charset: Charset = 'utf-8', encoding: 'B' | 'Q' = 'B'): string {
    if (/^[\x20-\x7e]*$/.test(text)) return text;
    const words: string[] = [];
    let chunk = '';
    const flush = (): void => {
        if (!chunk) return;
        const bytes = encodeCharset(chunk, charset);
        const encoded =
            encoding === 'B'
                ? bytes.toString('base64')
                : [...bytes]
                      .map((byte) =>
                          byte === 0x20
                              ? '_'
                              : /[A-Za-z0-9!*+\-/]/.test(String.fromCharCode(byte))
                                ? String.fromCharCode(byte)
                                : `=${byte.toString(16).toUpperCase().padStart(2, '0')}`
                      )
                      .join('');
        words.push(`=?${charset.toUpperCase()}?${encoding}?${encoded}?=`);
        chunk = '';
    };
    // Whole characters per word, so no word splits a multi-byte sequence.
    for (const char of text) {
        if (encodeCharset(chunk + char, charset).length > 30) flush();
        chunk += char;
    }
    flush();
    return words.join('\r\n ');
}

function transferEncode(node: MimeNode, encoding: string): string {
    switch (encoding) {
        case 'base64':
            return encodeBase64Lines(node.body);
        case 'quoted-printable':
            return encodeQuotedPrintable(node.body);
        default:
            return node.body.toString('latin1').replace(/\r?\n/g, '\r\n');
    }
}

/** Serializes a node (headers exactly as given; the leaf body in its Content-Transfer-Encoding). */
export function serializeMime(node: MimeNode): string {
    const head = node.headers.map(([name, value]) => `${name}: ${value}`).join('\r\n');
    if (node.parts.length > 0) {
        const boundary = node.params['boundary'] ?? 'boundary';
        const parts = node.parts.map((part) => `--${boundary}\r\n${serializeMime(part)}\r\n`).join('');
        return `${head}\r\n\r\n${parts}--${boundary}--`;
    }
    const encodingHeader = node.headers.find(([name]) => name.toLowerCase() === 'content-transfer-encoding');
    const encoding = (encodingHeader?.[1] ?? '7bit').toLowerCase();
    return `${head}\r\n\r\n${transferEncode(node, encoding)}`;
}
