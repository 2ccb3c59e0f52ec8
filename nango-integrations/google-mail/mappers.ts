/**
 * Pure mapping from parsed Gmail and People answers to our cache models. No I/O: what needs logging is returned.
 */
import type { GmailMessage, GmailThread, GoogleContact } from '../../models.js';
import { parseAddress, parseAddressList } from './addresses.js';
import { decodeHeaderValue, headerValue, newDecodeNotes, readPayload, type DecodeNotes } from './mime-decode.js';
import { GmailApiMessage, GmailApiThread, type PeoplePerson } from './schemas.js';

export function toGmailMessage(raw: GmailApiMessage, notes?: DecodeNotes): GmailMessage & { hasFileAttachment: boolean } {
    const headers = raw.payload.headers ?? [];
    const content = readPayload(raw.payload, notes);
    const subject = headerValue(headers, 'Subject');
    return {
        id: raw.id,
        threadId: raw.threadId,
        historyId: raw.historyId,
        messageId: headerValue(headers, 'Message-ID')?.trim() ?? null,
        subject: subject === null ? null : decodeHeaderValue(subject, notes),
        from: parseAddress(headerValue(headers, 'From'), notes),
        to: parseAddressList(headerValue(headers, 'To'), notes),
        cc: parseAddressList(headerValue(headers, 'Cc'), notes),
        date: new Date(Number(raw.internalDate)).toISOString(),
        labels: raw.labelIds ?? [],
        snippet: cleanSnippet(raw.snippet ?? ''),
        body_text: content.text,
        body_html: content.html,
        attachments: content.attachments.map(({ inline: _inline, ...attachment }) => attachment),
        replyTo: parseAddressList(headerValue(headers, 'Reply-To'), notes),
        inReplyTo: messageIds(headerValue(headers, 'In-Reply-To'))[0] ?? null,
        references: messageIds(headerValue(headers, 'References')),
        listUnsubscribe: angleTargets(headerValue(headers, 'List-Unsubscribe')),
        sizeEstimate: raw.sizeEstimate ?? null,
        dateHeader: headerValue(headers, 'Date')?.trim() || null,
        // A bounce's machine-readable parts (delivery-status, returned headers) have no filename and are no files.
        hasFileAttachment: content.attachments.some(
            (attachment) => !attachment.inline && (attachment.filename !== '' || attachment.attachmentId !== null)
        )
    };
}

/**
 * The Message-IDs of an In-Reply-To or References header, angle brackets kept (as `messageId` keeps them). Headers
 * are folded and may hold comments between ids; a mailer that leaves the brackets off gives bare ids split by spaces.
 */
export function messageIds(value: string | null): string[] {
    if (!value) return [];
    const bracketed = value.match(/<[^<>]+>/g);
    if (bracketed) return bracketed.map((id) => id.replace(/\s+/g, ''));
    return value.split(/[\s,]+/).filter((id) => id.includes('@'));
}

/** RFC 2369 lists `<mailto:...>, <https://...>`; whitespace inside the brackets is folding and is dropped. */
export function angleTargets(value: string | null): string[] {
    if (!value) return [];
    const bracketed = value.match(/<[^<>]*>/g);
    const targets = bracketed ? bracketed.map((target) => target.slice(1, -1)) : value.split(',');
    return targets.map((target) => target.replace(/\s+/g, '')).filter((target) => target !== '');
}

export interface MappedThread {
    /** Null when no message of the thread could be read. */
    thread: GmailThread | null;
    /** Messages left out, with what was wrong with them (for the log). */
    skipped: { id: string; problem: string }[];
    /** Charsets we could not decode (read as UTF-8). */
    unknownCharsets: string[];
}

/**
 * A `threads.get?format=full` answer as a GmailThread. A message missing required fields is left out and reported,
 * so one broken message does not cost the thread.
 */
export function toGmailThread(raw: GmailApiThread): MappedThread {
    const notes = newDecodeNotes();
    const skipped: MappedThread['skipped'] = [];
    const messages: ReturnType<typeof toGmailMessage>[] = [];
    (raw.messages ?? []).forEach((candidate, index) => {
        const parsed = GmailApiMessage.safeParse(candidate);
        if (!parsed.success) {
            const id = typeof candidate === 'object' && candidate !== null ? (candidate as { id?: unknown }).id : undefined;
            const problem = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(message)'}: ${issue.message}`).join('; ');
            skipped.push({ id: typeof id === 'string' ? id : `#${index}`, problem });
            return;
        }
        messages.push(toGmailMessage(parsed.data, notes));
    });
    const unknownCharsets = [...notes.unknownCharsets];
    if (messages.length === 0) return { thread: null, skipped, unknownCharsets };
    // Gmail lists a thread's messages oldest first; sort anyway so "first" and "latest" never depend on it.
    messages.sort((a, b) => a.date.localeCompare(b.date));
    const first = messages[0] as (typeof messages)[number];
    const latest = messages[messages.length - 1] as (typeof messages)[number];
    const labels = new Set<string>();
    for (const message of messages) for (const label of message.labels) labels.add(label);
    return {
        thread: {
            id: raw.id,
            historyId: raw.historyId ?? maxHistoryId(messages.map((message) => message.historyId)),
            subject: first.subject,
            from: first.from,
            to: first.to,
            cc: first.cc,
            date: latest.date,
            labels: [...labels].sort(),
            snippet: latest.snippet,
            hasAttachment: messages.some((message) => message.hasFileAttachment),
            messages: messages.map(({ hasFileAttachment: _hasFileAttachment, ...message }) => message)
        },
        skipped,
        unknownCharsets
    };
}

/** History ids are decimal strings that may exceed 2^53: compare by length, then lexically. */
export function maxHistoryId(ids: readonly string[]): string {
    let max = '0';
    for (const id of ids) if (compareHistoryIds(id, max) > 0) max = id;
    return max;
}

export function compareHistoryIds(a: string, b: string): number {
    const x = a.replace(/^0+(?=\d)/, '');
    const y = b.replace(/^0+(?=\d)/, '');
    if (x.length !== y.length) return x.length - y.length;
    return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Gmail's snippet as plain text: entities decoded, and the invisible padding marketing mail puts after its preview
 * text (U+034F COMBINING GRAPHEME JOINER, U+200C ZERO WIDTH NON-JOINER and their kin) removed, spaces collapsed.
 * The bodies are left as sent.
 */
export function cleanSnippet(snippet: string): string {
    return decodeHtmlEntities(snippet)
        .replace(/[\u034f\u200b-\u200d\u2060\ufeff\u00ad]/g, '')
        .replace(/\s+/g, ' ')
        .trim();
}

/** Gmail snippets are HTML-escaped (`&#39;`, `&amp;`); the cache holds plain text. */
export function decodeHtmlEntities(text: string): string {
    const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };
    return text.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-zA-Z]+);/g, (match, entity: string) => {
        if (entity.startsWith('#')) {
            const code = entity[1] === 'x' || entity[1] === 'X' ? parseInt(entity.slice(2), 16) : parseInt(entity.slice(1), 10);
            return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : match;
        }
        return named[entity.toLowerCase()] ?? match;
    });
}

/** A People API person as a GoogleContact; the primary entry of each field comes first, as People sorts them. */
export function toGoogleContact(person: PeoplePerson): GoogleContact {
    const name = primaryOf(person.names);
    const photo = primaryOf(person.photos);
    const sources = person.metadata?.sources ?? [];
    const contactSource = sources.find((source) => source.type === 'CONTACT') ?? sources[0];
    return {
        id: person.resourceName,
        etag: person.etag ?? null,
        displayName: name?.displayName ?? null,
        givenName: name?.givenName ?? null,
        familyName: name?.familyName ?? null,
        emailAddresses: (person.emailAddresses ?? []).flatMap((entry) =>
            entry.value ? [{ value: entry.value, type: entry.type ?? null, primary: entry.metadata?.primary === true }] : []
        ),
        phoneNumbers: (person.phoneNumbers ?? []).flatMap((entry) =>
            entry.value ? [{ value: entry.value, type: entry.type ?? null, primary: entry.metadata?.primary === true }] : []
        ),
        organizations: (person.organizations ?? []).map((entry) => ({
            name: entry.name ?? null,
            title: entry.title ?? null,
            department: entry.department ?? null
        })),
        // A default photo is the generated initial-letter avatar, not a picture of the person.
        photoUrl: photo && photo.default !== true ? (photo.url ?? null) : null,
        updatedAt: contactSource?.updateTime ?? null
    };
}

function primaryOf<T extends { metadata?: { primary?: boolean | null | undefined } | null | undefined }>(
    entries: readonly T[] | null | undefined
): T | undefined {
    return entries?.find((entry) => entry.metadata?.primary === true) ?? entries?.[0];
}
