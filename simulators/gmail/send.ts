import PostalMime, { type Address, type Email } from 'postal-mime';
import { decodeEncodedWords } from './mime.js';
import { rfc2822Date } from './seed.js';
import type { Mailbox, StoredMessage } from './store.js';

/**
 * messages.send: the raw RFC 5322 message is parsed (postal-mime, independent of the scripts' MIME code), checked
 * as Gmail checks it, completed with the headers Gmail adds (Message-ID, Date, From as the authenticated user), and
 * stored. It joins the requested thread only when Gmail would: the thread exists, the Subject matches, and
 * References or In-Reply-To names one of the thread's messages.
 * https://developers.google.com/gmail/api/guides/sending#threading
 */

export class SendError extends Error {
    constructor(
        readonly status: number,
        readonly reason: string,
        message: string
    ) {
        super(message);
    }
}

const addressPattern = /^[^\s@<>()",;:]+@[^\s@<>()",;:]+\.[^\s@<>()",;:]+$/;

function mailboxes(list: Address[] | undefined): { name: string; address: string }[] {
    return (list ?? []).flatMap((entry) => (entry.group ? entry.group : [entry]));
}

function checkRecipients(email: Email, header: 'to' | 'cc' | 'bcc', label: string): string[] {
    const raw = email.headers.find((h) => h.key === header);
    if (!raw) return [];
    const entries = mailboxes(email[header]);
    if (raw.value.trim() === '' || entries.length === 0 || entries.some((entry) => !addressPattern.test(entry.address))) {
        throw new SendError(400, 'invalidArgument', `Invalid ${label} header`);
    }
    return entries.map((entry) => entry.address.toLowerCase());
}

export function normalizeSubject(subject: string): string {
    let s = subject.trim();
    for (;;) {
        const next = s.replace(/^(re|fwd?|aw|sv|tr)\s*(\[\d+\])?\s*:\s*/i, '');
        if (next === s) break;
        s = next;
    }
    return s.replace(/\s+/g, ' ').toLowerCase();
}

function messageIds(value: string | undefined): string[] {
    return value?.match(/<[^<>\s]+>/g) ?? [];
}

/** Decodes `raw` (base64url, or base64: Google's JSON accepts both alphabets for bytes fields). */
export function decodeRaw(raw: unknown): Buffer {
    if (typeof raw !== 'string' || raw.length === 0) {
        throw new SendError(400, 'invalidArgument', "'raw' RFC822 payload message string or uploading message via /upload/* URL required");
    }
    if (!/^[A-Za-z0-9\-_+/]*={0,2}$/.test(raw)) {
        throw new SendError(
            400,
            'invalid',
            `Invalid value at 'message.raw' (TYPE_BYTES), Base64 decoding failed for "${raw.slice(0, 40)}"`
        );
    }
    return Buffer.from(raw.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}

function headerBlockEnd(text: string): number {
    const match = /\r?\n\r?\n/.exec(text);
    return match ? match.index : text.length;
}

/** Adds or replaces headers at the top of the message, the way Gmail stamps what it sends. */
function stampHeaders(text: string, set: [string, string][]): string {
    const end = headerBlockEnd(text);
    let head = text.slice(0, end);
    const rest = text.slice(end);
    for (const [name] of set) {
        head = head.replace(new RegExp(`^${name}:.*(?:\\r?\\n[ \\t].*)*(?:\\r?\\n)?`, 'gim'), '');
    }
    const lines = set.map(([name, value]) => `${name}: ${value}`).join('\r\n');
    return head.length > 0 ? `${lines}\r\n${head}${rest}` : `${lines}${rest}`;
}

export async function sendMessage(mailbox: Mailbox, bytes: Buffer, requestedThreadId: string | undefined): Promise<StoredMessage> {
    const text = bytes.toString('latin1');
    if (!/^[\x21-\x39\x3b-\x7e]+:/.test(text)) throw new SendError(400, 'invalidArgument', 'Recipient address required');
    let email: Email;
    try {
        email = await PostalMime.parse(bytes);
    } catch {
        throw new SendError(400, 'invalidArgument', 'Invalid RFC 5322 message');
    }
    const recipients = [
        ...checkRecipients(email, 'to', 'To'),
        ...checkRecipients(email, 'cc', 'Cc'),
        ...checkRecipients(email, 'bcc', 'Bcc')
    ];
    if (recipients.length === 0) throw new SendError(400, 'invalidArgument', 'Recipient address required');

    const now = mailbox.clock.now();
    const from = email.from && !email.from.group ? email.from : undefined;
    const stamps: [string, string][] = [];
    if (!from || from.address.toLowerCase() !== mailbox.owner.address.toLowerCase()) {
        // Gmail sends as the authenticated user (send-as aliases are not simulated).
        stamps.push(['From', mailbox.owner.address]);
    }
    const ownId = messageIds(email.messageId)[0];
    const rfcMessageId = ownId ?? `<CA+sim${mailbox.nextId(now)}@mail.gmail.com>`;
    if (!ownId) stamps.push(['Message-ID', rfcMessageId]);
    if (!email.headers.some((h) => h.key === 'date')) stamps.push(['Date', rfc2822Date(now)]);
    const stored = stamps.length > 0 ? stampHeaders(text, stamps) : text;

    const thread = requestedThreadId ? mailbox.threads.get(requestedThreadId) : undefined;
    let threadId: string | undefined;
    if (thread) {
        const refs = [...messageIds(email.references), ...messageIds(email.inReplyTo)];
        const known = new Set(thread.messages.map((m) => mailbox.rfcMessageId(m)));
        const subjectMatches = normalizeSubject(email.subject ?? '') === normalizeSubject(subjectOf(mailbox, thread.messages[0]!));
        if (subjectMatches && refs.some((ref) => known.has(ref))) threadId = thread.id;
    }
    const toSelf = recipients.includes(mailbox.owner.address.toLowerCase());
    const labels = toSelf ? ['UNREAD', 'SENT', 'INBOX'] : ['SENT'];
    const parent = threadId ? mailbox.threads.get(threadId)!.messages.at(-1) : undefined;
    return mailbox.insert({
        threadId,
        internalDate: now,
        labelIds: mailbox.labels.intern(labels),
        seed: 0,
        position: parent ? mailbox.threads.get(threadId!)!.messages.length : 0,
        fromOwner: true,
        root: threadId,
        parent: parent?.id,
        raw: stored,
        rfcMessageId
    });
}

/** The Subject of a stored message, decoded. */
function subjectOf(mailbox: Mailbox, message: StoredMessage): string {
    const subject = mailbox.tree(message).headers.find(([name]) => name.toLowerCase() === 'subject');
    return subject ? decodeEncodedWords(subject[1]) : '';
}
