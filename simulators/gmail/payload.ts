import type { gmail_v1 } from '@googleapis/gmail';
import { serializeMime } from './compose.js';
import { decodeEncodedWords, headerValue, partFilename, partText, type MimeNode } from './mime.js';
import type { Mailbox, StoredMessage, StoredThread } from './store.js';

/**
 * Gmail's resources as the API serves them. `payload` mirrors the MIME tree: header values decoded (encoded words
 * resolved), leaf bodies as base64url of the bytes after the transfer encoding is undone but still in the part's
 * charset, parts with a filename served by attachmentId instead of data. https://developers.google.com/gmail/api/reference/rest/v1/users.messages#Message
 */

export const formats = ['full', 'metadata', 'minimal', 'raw'] as const;
export type Format = (typeof formats)[number];

function toHeaders(node: MimeNode): gmail_v1.Schema$MessagePartHeader[] {
    return node.headers.map(([name, value]) => ({ name, value: decodeEncodedWords(value.replace(/\r?\n[ \t]+/g, ' ')) }));
}

export function attachmentIdOf(messageId: string, partId: string): string {
    return `ANGjdJ${Buffer.from(`${messageId}:${partId}`).toString('base64url')}`;
}

export function parseAttachmentId(attachmentId: string): { messageId: string; partId: string } | undefined {
    if (!attachmentId.startsWith('ANGjdJ')) return undefined;
    const [messageId, partId] = Buffer.from(attachmentId.slice(6), 'base64url').toString('utf8').split(':');
    return messageId !== undefined && partId !== undefined ? { messageId, partId } : undefined;
}

function toPart(node: MimeNode, partId: string, messageId: string): gmail_v1.Schema$MessagePart {
    const filename = partFilename(node);
    const part: gmail_v1.Schema$MessagePart = { partId, mimeType: node.mimeType, filename, headers: toHeaders(node) };
    if (node.parts.length > 0) {
        part.body = { size: 0 };
        part.parts = node.parts.map((child, i) => toPart(child, partId === '' ? String(i) : `${partId}.${i}`, messageId));
    } else if (filename) {
        part.body = { attachmentId: attachmentIdOf(messageId, partId), size: node.body.length };
    } else {
        part.body = node.body.length > 0 ? { size: node.body.length, data: node.body.toString('base64url') } : { size: 0 };
    }
    return part;
}

/** The part a `partId` names (`''` is the root). */
export function findPart(node: MimeNode, partId: string): MimeNode | undefined {
    if (partId === '') return node;
    let current: MimeNode | undefined = node;
    for (const index of partId.split('.')) current = current?.parts[Number(index)];
    return current;
}

function firstLeaf(node: MimeNode, mimeType: string): MimeNode | undefined {
    if (node.parts.length === 0) return node.mimeType === mimeType && !partFilename(node) ? node : undefined;
    for (const part of node.parts) {
        const hit = firstLeaf(part, mimeType);
        if (hit) return hit;
    }
    return undefined;
}

function escapeSnippet(text: string): string {
    return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Like Gmail's: the start of the text (HTML stripped when there is no plain part), HTML-escaped. */
export function snippetOf(tree: MimeNode): string {
    const plain = firstLeaf(tree, 'text/plain');
    const html = plain ? undefined : firstLeaf(tree, 'text/html');
    let text = plain ? partText(plain) : html ? partText(html) : '';
    if (html) {
        text = text
            .replace(/<(script|style|head)[\s\S]*?<\/\1>/gi, ' ')
            .replace(/<[^>]+>/g, ' ')
            .replace(/&nbsp;/g, ' ')
            .replace(/&quot;/g, '"')
            .replace(/&lt;/g, '<')
            .replace(/&gt;/g, '>')
            .replace(/&amp;/g, '&');
    }
    const collapsed = text.replace(/\s+/g, ' ').trim();
    const cut = [...collapsed].slice(0, 200).join('');
    return escapeSnippet(cut);
}

export function hasAttachment(tree: MimeNode): boolean {
    // An inline image (inline disposition with a Content-ID) is not an attachment; Gmail gives ordinary attachments a
    // Content-ID too, so the Content-ID alone does not decide.
    if (tree.parts.length === 0) {
        const inline = !/^\s*attachment/i.test(headerValue(tree, 'content-disposition') ?? '') && Boolean(headerValue(tree, 'content-id'));
        return partFilename(tree) !== '' && !inline;
    }
    return tree.parts.some(hasAttachment);
}

export interface Rendered {
    tree: MimeNode;
    raw: string;
}

export function render(mailbox: Mailbox, message: StoredMessage): Rendered {
    const tree = mailbox.tree(message);
    return { tree, raw: message.raw ?? serializeMime(tree) };
}

/** messages.get in one of its formats; `metadataHeaders` filters headers (case-insensitive) for `metadata`. */
export function toMessage(
    mailbox: Mailbox,
    message: StoredMessage,
    format: Format,
    metadataHeaders: readonly string[] = []
): gmail_v1.Schema$Message {
    const { tree, raw } = render(mailbox, message);
    const base: gmail_v1.Schema$Message = {
        id: message.id,
        threadId: message.threadId,
        labelIds: [...message.labelIds],
        snippet: snippetOf(tree),
        sizeEstimate: Buffer.byteLength(raw, 'latin1'),
        historyId: String(message.historyId),
        internalDate: String(message.internalDate)
    };
    switch (format) {
        case 'minimal':
            return base;
        case 'raw':
            return { ...base, raw: Buffer.from(raw, 'latin1').toString('base64url') };
        case 'metadata': {
            const wanted = metadataHeaders.map((name) => name.toLowerCase());
            const headers = toHeaders(tree).filter((header) => wanted.length === 0 || wanted.includes(header.name!.toLowerCase()));
            return { ...base, payload: { mimeType: tree.mimeType, headers } };
        }
        case 'full':
            return { ...base, payload: toPart(tree, '', message.id) };
    }
}

export function toThread(
    mailbox: Mailbox,
    thread: StoredThread,
    format: Format,
    metadataHeaders: readonly string[] = []
): gmail_v1.Schema$Thread {
    const messageFormat = format === 'raw' ? 'full' : format;
    return {
        id: thread.id,
        historyId: String(thread.historyId),
        messages: thread.messages.map((message) => toMessage(mailbox, message, messageFormat, metadataHeaders))
    };
}
