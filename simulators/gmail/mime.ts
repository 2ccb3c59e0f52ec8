/**
 * The simulator's own MIME model: a tree of parts with their raw header lines and their bodies already freed of
 * the transfer encoding (still in the part's charset), which is the form Gmail's API serves them in. Generated mail
 * is built as such a tree and serialized; sent mail is parsed into one. Written for the simulator only: the scripts
 * have their own MIME code, and the tests cross-check both against postal-mime.
 */
export interface MimeNode {
    /** Header lines in order, names as written, values unfolded but not decoded (encoded words kept). */
    headers: [string, string][];
    /** Lower-cased `type/subtype`. */
    mimeType: string;
    /** Content-Type parameters, lower-cased names (`charset`, `boundary`, `name`). */
    params: Record<string, string>;
    /** Leaf parts: the bytes after undoing Content-Transfer-Encoding. */
    body: Buffer;
    /** Multipart parts: the children. */
    parts: MimeNode[];
}

export function headerValue(node: Pick<MimeNode, 'headers'>, name: string): string | undefined {
    const lower = name.toLowerCase();
    for (const [key, value] of node.headers) if (key.toLowerCase() === lower) return value;
    return undefined;
}

/** Decodes bytes in a MIME charset; unknown charsets fall back to UTF-8, as mail readers do. */
export function decodeCharset(bytes: Buffer, charset: string | undefined): string {
    const label = (charset ?? 'us-ascii').trim().toLowerCase();
    try {
        return new TextDecoder(label === 'us-ascii' || label === 'ascii' ? 'utf-8' : label).decode(bytes);
    } catch {
        return bytes.toString('utf8');
    }
}

export function decodeQuotedPrintable(text: string, header = false): Buffer {
    const bytes: number[] = [];
    const source = header ? text.replace(/_/g, ' ') : text.replace(/=\r?\n/g, '');
    for (let i = 0; i < source.length; i += 1) {
        const char = source[i]!;
        if (char === '=' && /^[0-9A-Fa-f]{2}$/.test(source.slice(i + 1, i + 3))) {
            bytes.push(parseInt(source.slice(i + 1, i + 3), 16));
            i += 2;
        } else {
            bytes.push(source.charCodeAt(i) & 0xff);
        }
    }
    return Buffer.from(bytes);
}

/** RFC 2047: `=?charset?B|Q?text?=` words decoded; whitespace between two adjacent encoded words dropped. */
export function decodeEncodedWords(value: string): string {
    const word = /=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=/g;
    const joined = value.replace(/(=\?[^?\s]+\?[BbQq]\?[^?\s]*\?=)\s+(?==\?[^?\s]+\?[BbQq]\?[^?\s]*\?=)/g, '$1');
    return joined.replace(word, (_match, charset: string, encoding: string, text: string) => {
        const cleanCharset = charset.split('*')[0]!;
        const bytes = encoding.toUpperCase() === 'B' ? Buffer.from(text, 'base64') : decodeQuotedPrintable(text, true);
        return decodeCharset(bytes, cleanCharset);
    });
}

/** Splits `type/subtype; a=b; c="d"` into its type and lower-cased parameters (RFC 2231 `name*=` decoded). */
export function parseParameterized(value: string): { value: string; params: Record<string, string> } {
    const segments: string[] = [];
    let current = '';
    let quoted = false;
    for (let i = 0; i < value.length; i += 1) {
        const char = value[i]!;
        if (char === '"' && value[i - 1] !== '\\') quoted = !quoted;
        if (char === ';' && !quoted) {
            segments.push(current);
            current = '';
        } else current += char;
    }
    segments.push(current);
    const params: Record<string, string> = {};
    const continued = new Map<string, { index: number; text: string; extended: boolean }[]>();
    for (const segment of segments.slice(1)) {
        const eq = segment.indexOf('=');
        if (eq < 0) continue;
        const rawName = segment.slice(0, eq).trim().toLowerCase();
        let text = segment.slice(eq + 1).trim();
        if (text.startsWith('"') && text.endsWith('"')) text = text.slice(1, -1).replace(/\\(.)/g, '$1');
        const match = /^([^*]+)(?:\*(\d+))?(\*)?$/.exec(rawName);
        if (!match) continue;
        const name = match[1]!;
        const pieces = continued.get(name) ?? [];
        pieces.push({ index: match[2] === undefined ? -1 : Number(match[2]), text, extended: match[3] === '*' });
        continued.set(name, pieces);
    }
    for (const [name, pieces] of continued) {
        pieces.sort((a, b) => a.index - b.index);
        if (!pieces.some((piece) => piece.extended)) {
            params[name] = pieces.map((piece) => piece.text).join('');
            continue;
        }
        // RFC 2231: charset'language'percent-encoded, the charset named only in the first piece.
        const first = pieces[0]!.text;
        const quote = first.indexOf("'");
        const second = quote < 0 ? -1 : first.indexOf("'", quote + 1);
        const charset = second < 0 ? 'utf-8' : first.slice(0, quote);
        const bytes: number[] = [];
        pieces.forEach((piece, i) => {
            const text = i === 0 && second >= 0 ? piece.text.slice(second + 1) : piece.text;
            if (!piece.extended) {
                for (const byte of Buffer.from(text, 'latin1')) bytes.push(byte);
                return;
            }
            for (let j = 0; j < text.length; j += 1) {
                if (text[j] === '%' && /^[0-9A-Fa-f]{2}$/.test(text.slice(j + 1, j + 3))) {
                    bytes.push(parseInt(text.slice(j + 1, j + 3), 16));
                    j += 2;
                } else bytes.push(text.charCodeAt(j) & 0xff);
            }
        });
        params[name] = decodeCharset(Buffer.from(bytes), charset);
    }
    return { value: segments[0]!.trim(), params };
}

function splitHeaderBlock(block: string): [string, string][] {
    const headers: [string, string][] = [];
    for (const line of block.split(/\r?\n/)) {
        if (/^[ \t]/.test(line) && headers.length > 0) {
            const last = headers[headers.length - 1]!;
            last[1] += line.replace(/^[ \t]+/, ' ');
            continue;
        }
        const colon = line.indexOf(':');
        if (colon <= 0) continue;
        headers.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
    }
    return headers;
}

function decodeTransfer(body: string, encoding: string | undefined): Buffer {
    switch ((encoding ?? '7bit').trim().toLowerCase()) {
        case 'base64':
            return Buffer.from(body.replace(/[^A-Za-z0-9+/=]/g, ''), 'base64');
        case 'quoted-printable':
            return decodeQuotedPrintable(body);
        default:
            return Buffer.from(body, 'latin1');
    }
}

/**
 * Parses RFC 5322 bytes into a MimeNode tree. Lenient, as Gmail is with what it accepts: a missing Content-Type
 * is text/plain; a multipart without its closing boundary still yields the parts it has.
 */
export function parseMime(raw: Buffer | string, defaultType = 'text/plain'): MimeNode {
    const text = typeof raw === 'string' ? raw : raw.toString('latin1');
    const split = /\r?\n\r?\n/.exec(text);
    const headerBlock = split ? text.slice(0, split.index) : text;
    const bodyText = split ? text.slice(split.index + split[0].length) : '';
    const headers = splitHeaderBlock(headerBlock);
    const contentType = parseParameterized(headerValue({ headers }, 'content-type') ?? defaultType);
    const mimeType = contentType.value.toLowerCase() || defaultType;
    const node: MimeNode = { headers, mimeType, params: contentType.params, body: Buffer.alloc(0), parts: [] };
    const boundary = contentType.params['boundary'];
    if (mimeType.startsWith('multipart/') && boundary) {
        const childDefault = mimeType === 'multipart/digest' ? 'message/rfc822' : 'text/plain';
        const lines = bodyText.split(/\r?\n/);
        let current: string[] | null = null;
        for (const line of lines) {
            const trimmed = line.trimEnd();
            if (trimmed === `--${boundary}` || trimmed === `--${boundary}--`) {
                if (current) node.parts.push(parseMime(current.join('\r\n'), childDefault));
                current = trimmed.endsWith('--') && trimmed !== `--${boundary}` ? null : [];
                if (current === null) break;
                continue;
            }
            current?.push(line);
        }
        if (current && current.length > 0) node.parts.push(parseMime(current.join('\r\n'), childDefault));
        return node;
    }
    node.body = decodeTransfer(bodyText, headerValue(node, 'content-transfer-encoding'));
    return node;
}

/** The filename Gmail shows for a part: Content-Disposition `filename`, else Content-Type `name`; decoded. */
export function partFilename(node: MimeNode): string {
    const disposition = headerValue(node, 'content-disposition');
    const fromDisposition = disposition ? parseParameterized(disposition).params['filename'] : undefined;
    const name = fromDisposition ?? node.params['name'];
    return name ? decodeEncodedWords(name) : '';
}

/** The text of a leaf in its charset (for snippets and search). */
export function partText(node: MimeNode): string {
    return decodeCharset(node.body, node.params['charset']);
}
