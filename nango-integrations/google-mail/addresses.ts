/**
 * RFC 5322 address lists as they arrive in From, To, Cc and Reply-To headers:
 * `"Doe, Jane" <jane@example.com>, =?UTF-8?B?w4lsaWU=?= <elie@example.com>, team: a@example.com, b@example.com;`,
 * with comments, quoted names, encoded words and groups. Lenient, as readers of real mail must be.
 */
import type { EmailAddress } from '../../models.js';
import { decodeHeaderValue, type DecodeNotes } from './mime-decode.js';

/** Every mailbox of an address-list header, in order; a group contributes its members. Entries without `@` are dropped. */
export function parseAddressList(value: string | null | undefined, notes?: DecodeNotes): EmailAddress[] {
    if (!value) return [];
    const addresses: EmailAddress[] = [];
    for (const segment of splitMailboxes(value)) {
        const address = parseMailbox(segment, notes);
        if (address) addresses.push(address);
    }
    return addresses;
}

/** The first mailbox of a header such as From, or null. */
export function parseAddress(value: string | null | undefined, notes?: DecodeNotes): EmailAddress | null {
    return parseAddressList(value, notes)[0] ?? null;
}

/** Splits at top-level commas; a group's `name:` is dropped and its closing `;` ends a mailbox. */
function splitMailboxes(value: string): string[] {
    const segments: string[] = [];
    let current = '';
    let quoted = false;
    let commentDepth = 0;
    let angled = false;
    for (let i = 0; i < value.length; i += 1) {
        const char = value[i] as string;
        if (char === '\\' && (quoted || commentDepth > 0)) {
            current += char + (value[i + 1] ?? '');
            i += 1;
            continue;
        }
        if (quoted) {
            if (char === '"') quoted = false;
            current += char;
            continue;
        }
        if (commentDepth > 0) {
            if (char === '(') commentDepth += 1;
            else if (char === ')') commentDepth -= 1;
            current += char;
            continue;
        }
        if (char === '"') quoted = true;
        else if (char === '(') commentDepth = 1;
        else if (char === '<') angled = true;
        else if (char === '>') angled = false;
        else if (!angled && char === ':') {
            // A group's display name: the members follow.
            current = '';
            continue;
        } else if (!angled && (char === ',' || char === ';')) {
            segments.push(current);
            current = '';
            continue;
        }
        current += char;
    }
    segments.push(current);
    return segments.filter((segment) => segment.trim() !== '');
}

function parseMailbox(segment: string, notes?: DecodeNotes): EmailAddress | null {
    let phrase = '';
    let angle: string | null = null;
    const comments: string[] = [];
    let i = 0;
    while (i < segment.length) {
        const char = segment[i] as string;
        if (char === '"') {
            const end = readQuoted(segment, i);
            phrase += end.text;
            i = end.next;
        } else if (char === '(') {
            const end = readComment(segment, i);
            comments.push(end.text);
            i = end.next;
        } else if (char === '<' && angle === null) {
            const close = segment.indexOf('>', i + 1);
            angle = segment.slice(i + 1, close === -1 ? segment.length : close);
            i = close === -1 ? segment.length : close + 1;
        } else {
            phrase += char;
            i += 1;
        }
    }
    if (angle !== null) {
        // Drop an obsolete source route (`<@relay.example:user@example.com>`).
        const email = stripComments(angle)
            .replace(/^@[^:]*:/, '')
            .replace(/\s+/g, '');
        if (!email.includes('@')) return null;
        return { email, name: cleanName(phrase, notes) };
    }
    const email = phrase.replace(/\s+/g, '');
    if (!email.includes('@')) return null;
    // Old style `jane@example.com (Jane Doe)`: the comment is the name.
    return { email, name: cleanName(comments.join(' '), notes) };
}

function cleanName(raw: string, notes?: DecodeNotes): string | null {
    const name = decodeHeaderValue(raw.replace(/\s+/g, ' ').trim(), notes).trim();
    return name === '' ? null : name;
}

function readQuoted(text: string, start: number): { text: string; next: number } {
    let out = '';
    let i = start + 1;
    while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\' && i + 1 < text.length) i += 1;
        out += text[i];
        i += 1;
    }
    return { text: out, next: i + 1 };
}

function readComment(text: string, start: number): { text: string; next: number } {
    let out = '';
    let depth = 1;
    let i = start + 1;
    while (i < text.length && depth > 0) {
        const char = text[i] as string;
        if (char === '\\' && i + 1 < text.length) {
            out += text[i + 1];
            i += 2;
            continue;
        }
        if (char === '(') depth += 1;
        if (char === ')') depth -= 1;
        if (depth > 0) out += char;
        i += 1;
    }
    return { text: out, next: i };
}

function stripComments(text: string): string {
    let out = '';
    let i = 0;
    while (i < text.length) {
        if (text[i] === '(') i = readComment(text, i).next;
        else {
            out += text[i];
            i += 1;
        }
    }
    return out;
}
