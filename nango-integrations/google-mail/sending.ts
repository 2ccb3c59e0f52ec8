/**
 * What send-email and reply-email share: input checks that answer with an ActionError naming the field, attachment
 * decoding, the message size limit, and the one send call, which is never retried.
 */
import { randomBytes } from 'crypto';
import type { NangoAction } from 'nango';
import type { EmailAttachmentInput, SendEmailOutput } from '../../models.js';
import { describeFailure, googleFailureOf, isOutcomeUnknown, isRateLimited } from '../shared/google-errors.js';
import { invalidInput } from '../shared/input.js';
import {
    buildMessage,
    keyedMessageId,
    MimeInputError,
    newMessageId,
    validateContent,
    type MailAttachment,
    type OutgoingMessage
} from './mime-build.js';
import { READ_RETRIES } from './pages.js';
import { GmailMessagesListResponse, GmailProfile, GmailSendResponse } from './schemas.js';

type Caller = Pick<NangoAction, 'get' | 'post' | 'log' | 'ActionError'>;

/** Gmail refuses messages over 25 MB, attachments and encoding included (https://support.google.com/mail/answer/6584). */
export const MAX_MESSAGE_BYTES = 25 * 1024 * 1024;

// Character classes only: a grouped, repeated pattern overflows V8's regexp stack on megabytes of attachment.
const BASE64_CHARS = /^[A-Za-z0-9+/]*={0,2}$/;

function isBase64(text: string): boolean {
    return BASE64_CHARS.test(text) && text.replace(/=+$/, '').length % 4 !== 1 && (!text.includes('=') || text.length % 4 === 0);
}

/** Attachment contents arrive as base64 (standard or url-safe, line breaks tolerated); anything else is refused. */
export function decodeAttachments(nango: Caller, attachments: readonly EmailAttachmentInput[] | undefined): MailAttachment[] {
    return (attachments ?? []).map((attachment, i) => {
        const compact = attachment.content.replace(/\s+/g, '').replace(/-/g, '+').replace(/_/g, '/');
        if (!isBase64(compact)) throw invalidInput(nango, `attachments[${i}].content`, 'is not valid base64');
        return { filename: attachment.filename, mimeType: attachment.mimeType, content: Buffer.from(compact, 'base64') };
    });
}

function asActionError(nango: Caller, error: unknown): unknown {
    return error instanceof MimeInputError ? invalidInput(nango, error.field, error.message.slice(error.field.length + 2)) : error;
}

/** Refuses bad content (CR/LF in a header, a bad address, no body...) before any call is spent on it. */
export function checkContent(nango: Caller, message: Parameters<typeof validateContent>[0]): void {
    try {
        validateContent(message);
    } catch (error) {
        throw asActionError(nango, error);
    }
}

/** The MIME text, or an ActionError naming the field the builder refused. */
export function composeRaw(nango: Caller, message: OutgoingMessage): string {
    const decodedBytes = (message.attachments ?? []).reduce((sum, attachment) => sum + attachment.content.length, 0);
    // Base64 grows attachments by a third: refuse early what cannot fit, before building megabytes of text.
    if ((decodedBytes * 4) / 3 > MAX_MESSAGE_BYTES) {
        throw invalidInput(nango, 'attachments', `the message would exceed Gmail's 25 MB limit (${decodedBytes} bytes of attachments)`);
    }
    let raw: string;
    try {
        raw = buildMessage(message);
    } catch (error) {
        throw asActionError(nango, error);
    }
    if (raw.length > MAX_MESSAGE_BYTES) {
        throw invalidInput(nango, 'attachments', `the encoded message is ${raw.length} bytes, over Gmail's 25 MB limit`);
    }
    return raw;
}

/** The authenticated user's address (1 quota unit). */
export async function ownAddress(nango: Caller): Promise<string> {
    // https://developers.google.com/workspace/gmail/api/reference/rest/v1/users/getProfile
    const response = await nango.get({ endpoint: '/gmail/v1/users/me/profile', retries: READ_RETRIES });
    return GmailProfile.parse(response.data).emailAddress;
}

/** A fresh Message-ID in the sender's domain, or, with the caller's idempotency key, the one that key always gives. */
export function messageIdFor(address: string, idempotencyKey?: string, now: number = Date.now()): string {
    const domain = address.slice(address.lastIndexOf('@') + 1);
    return idempotencyKey === undefined ? newMessageId(domain, now) : keyedMessageId(domain, idempotencyKey);
}

/**
 * The message already in the mailbox with this Message-ID (a keyed send that went out before its answer was lost),
 * or null. Spam and trash are searched too: a sent message the user has since deleted was still sent.
 */
export async function findSent(nango: Caller, messageId: string): Promise<SendEmailOutput | null> {
    // https://developers.google.com/workspace/gmail/api/reference/rest/v1/users.messages/list
    // `rfc822msgid:` finds "messages with a certain message-id header" (https://support.google.com/mail/answer/7190).
    const listed = await nango.get({
        endpoint: '/gmail/v1/users/me/messages',
        params: { q: `rfc822msgid:${messageId.replace(/^<(.*)>$/, '$1')}`, includeSpamTrash: 'true', maxResults: '1' },
        retries: READ_RETRIES
    });
    const found = GmailMessagesListResponse.parse(listed.data).messages?.[0];
    if (!found) return null;
    // https://developers.google.com/workspace/gmail/api/reference/rest/v1/users.messages/get
    const response = await nango.get({
        endpoint: `/gmail/v1/users/me/messages/${encodeURIComponent(found.id)}`,
        params: { format: 'minimal' },
        retries: READ_RETRIES
    });
    const message = GmailSendResponse.parse(response.data);
    await nango.log(`Message ${messageId} was already sent (id ${message.id}): not sending it again`);
    return { id: message.id, threadId: message.threadId, labelIds: message.labelIds ?? [], messageId };
}

/**
 * messages.send, once (JSON, or the upload URI for large mail). A send is not idempotent: when the request may have reached Gmail (no answer, a timeout, a
 * 5xx) retrying could deliver the mail twice, so the action fails with `send_outcome_unknown` and the Message-ID it
 * chose; the caller looks for that id in SENT (`rfc822msgid:<id>`) before sending again.
 */
export async function sendRaw(nango: Caller, raw: string, messageId: string, threadId?: string): Promise<SendEmailOutput> {
    await nango.log(`Sending message ${messageId}${threadId ? ` in thread ${threadId}` : ''} (${raw.length} bytes)`);
    let response;
    try {
        response = await postMessage(nango, raw, threadId);
    } catch (error) {
        if (isOutcomeUnknown(error)) {
            throw new nango.ActionError({
                type: 'send_outcome_unknown',
                messageId,
                message: `The send may or may not have happened (${describeFailure(error)}). Search SENT for rfc822msgid:${messageId} before sending again.`
            });
        }
        const failure = googleFailureOf(error);
        // Refused before sending (bad request, quota): nothing went out, so `retryable` says whether trying later can help.
        throw new nango.ActionError({
            type: 'send_failed',
            status: failure.status,
            reasons: failure.reasons,
            retryable: isRateLimited(error),
            message: describeFailure(error)
        });
    }
    const sent = GmailSendResponse.parse(response.data);
    return { id: sent.id, threadId: sent.threadId, labelIds: sent.labelIds ?? [], messageId };
}

/** The JSON endpoint refuses bodies over about 5 MB; base64url grows the message by a third, so switch well before. */
export const JSON_SEND_MAX_RAW_BYTES = 3 * 1024 * 1024;

async function postMessage(nango: Caller, raw: string, threadId: string | undefined) {
    if (raw.length <= JSON_SEND_MAX_RAW_BYTES) {
        // https://developers.google.com/workspace/gmail/api/reference/rest/v1/users.messages/send
        return await nango.post({
            endpoint: '/gmail/v1/users/me/messages/send',
            data: { raw: Buffer.from(raw, 'utf8').toString('base64url'), ...(threadId ? { threadId } : {}) },
            retries: 0
        });
    }
    // Larger mail goes through the upload URI: JSON metadata (the thread) and the message itself as message/rfc822.
    let boundary = `upload_${randomBytes(16).toString('hex')}`;
    while (raw.includes(boundary)) boundary = `upload_${randomBytes(16).toString('hex')}`;
    const body =
        `--${boundary}\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n${JSON.stringify(threadId ? { threadId } : {})}\r\n` +
        `--${boundary}\r\nContent-Type: message/rfc822\r\n\r\n${raw}\r\n--${boundary}--`;
    // https://developers.google.com/workspace/gmail/api/guides/uploads#multipart
    return await nango.post({
        endpoint: '/upload/gmail/v1/users/me/messages/send',
        params: { uploadType: 'multipart' },
        headers: { 'Content-Type': `multipart/related; boundary=${boundary}` },
        data: body,
        retries: 0
    });
}
