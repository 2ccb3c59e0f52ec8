/**
 * What a reply takes from its parent: the parent's headers, read in one metadata call, and the pure rules that turn
 * them into the reply's recipients, subject, In-Reply-To and References.
 */
import type { NangoAction } from 'nango';
import { parseAddressList } from './addresses.js';
import { isValidMessageId, type MailAddress } from './mime-build.js';
import { decodeHeaderValue, headerValue } from './mime-decode.js';
import { READ_RETRIES } from './pages.js';
import { GmailMessageMetadata, GmailThreadMetadata, type GmailHeader } from './schemas.js';

type Caller = Pick<NangoAction, 'get'>;

/**
 * Gmail's message and thread ids are hexadecimal (e.g. `18f3a1c2b4d5e6f7`); Gmail answers anything else with 400
 * "Invalid id value". Checked before any call so that a caller's mistake comes back as invalid input, not an HTTP error.
 */
const GMAIL_ID = /^[0-9a-f]{1,24}$/i;

export function isGmailId(id: string): boolean {
    return GMAIL_ID.test(id);
}

export const PARENT_HEADERS = ['Subject', 'From', 'To', 'Cc', 'Reply-To', 'Message-ID', 'References'] as const;

export interface ParentMessage {
    id: string;
    threadId: string;
    headers: GmailHeader[];
    messageId: string | null;
}

/** `format=metadata` with repeated `metadataHeaders`: Nango's proxy would join an array with commas, so the query is ours. */
function metadataQuery(): string {
    const query = new URLSearchParams({ format: 'metadata' });
    for (const name of PARENT_HEADERS) query.append('metadataHeaders', name);
    return query.toString();
}

/** The message to reply to: the given one, or the latest message of the thread that is not a draft. */
export async function parentOf(nango: Caller, target: { messageId: string } | { threadId: string }): Promise<ParentMessage | null> {
    if ('messageId' in target) {
        // https://developers.google.com/workspace/gmail/api/reference/rest/v1/users.messages/get
        const response = await nango.get({
            endpoint: `/gmail/v1/users/me/messages/${encodeURIComponent(target.messageId)}`,
            params: metadataQuery(),
            retries: READ_RETRIES
        });
        const message = GmailMessageMetadata.parse(response.data);
        return toParent(message.id, message.threadId, message.payload?.headers ?? []);
    }
    // https://developers.google.com/workspace/gmail/api/reference/rest/v1/users.threads/get
    const response = await nango.get({
        endpoint: `/gmail/v1/users/me/threads/${encodeURIComponent(target.threadId)}`,
        params: metadataQuery(),
        retries: READ_RETRIES
    });
    const thread = GmailThreadMetadata.parse(response.data);
    const candidates = (thread.messages ?? []).filter((message) => !(message.labelIds ?? []).includes('DRAFT'));
    const latest = candidates.reduce<(typeof candidates)[number] | undefined>(
        (best, message) => (!best || Number(message.internalDate ?? 0) >= Number(best.internalDate ?? 0) ? message : best),
        undefined
    );
    return latest ? toParent(latest.id, latest.threadId ?? thread.id, latest.payload?.headers ?? []) : null;
}

function toParent(id: string, threadId: string, headers: GmailHeader[]): ParentMessage {
    const found = headerValue(headers, 'Message-ID')?.match(/<[^<>\s]+>/)?.[0];
    const messageId = found && isValidMessageId(found) ? found : null;
    return { id, threadId, headers, messageId };
}

export interface ReplyEnvelope {
    to: MailAddress[];
    cc: MailAddress[];
    subject: string;
    inReplyTo: string | undefined;
    references: string[];
}

/**
 * Gmail's reply rules: to the Reply-To addresses, else the sender; replying to one's own message goes to its
 * recipients instead. Reply-all adds the parent's To and Cc, without the user and without duplicates. The subject
 * gets one `Re: ` (none added if it already starts with one); References are the parent's plus its Message-ID.
 */
export function replyEnvelope(parent: ParentMessage, self: string, replyAll: boolean): ReplyEnvelope {
    const read = (name: string) => parseAddressList(headerValue(parent.headers, name));
    const from = read('From');
    const replyTo = read('Reply-To');
    const parentTo = read('To');
    const parentCc = read('Cc');
    const isSelf = (address: { email: string }) => address.email.toLowerCase() === self.toLowerCase();
    const fromSelf = from.length > 0 && from.every(isSelf);

    const seen = new Set<string>();
    const take = (addresses: { email: string; name: string | null }[], keepSelf: boolean): MailAddress[] => {
        const out: MailAddress[] = [];
        for (const address of addresses) {
            const key = address.email.toLowerCase();
            if (seen.has(key) || (!keepSelf && isSelf(address))) continue;
            seen.add(key);
            out.push(address.name ? { email: address.email, name: address.name } : { email: address.email });
        }
        return out;
    };
    // Replying to a message one sent oneself continues the conversation with its recipients, as Gmail does.
    const to = fromSelf ? take(parentTo, false) : take(replyTo.length > 0 ? replyTo : from, true);
    const cc = replyAll ? take(fromSelf ? parentCc : [...parentTo, ...parentCc], false) : [];

    const subject = decodeHeaderValue(headerValue(parent.headers, 'Subject') ?? '').trim();
    // Malformed ids in the parent's References are dropped rather than refused: the caller did not write them.
    const references = (headerValue(parent.headers, 'References')?.match(/<[^<>\s]+>/g) ?? []).filter(isValidMessageId);
    if (parent.messageId && !references.includes(parent.messageId)) references.push(parent.messageId);
    return {
        to,
        cc,
        subject: /^re:/i.test(subject) ? subject : `Re: ${subject}`,
        inReplyTo: parent.messageId ?? undefined,
        references
    };
}
