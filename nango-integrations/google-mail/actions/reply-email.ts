import { createAction } from 'nango';
import { ReplyEmailInput, ReplyEmailOutput } from '../../../models.js';
import { isNotFound } from '../../shared/google-errors.js';
import { invalidInput, parseInput } from '../../shared/input.js';
import { isGmailId, parentOf, replyEnvelope } from '../reply.js';
import { checkContent, composeRaw, decodeAttachments, findSent, messageIdFor, ownAddress, sendRaw } from '../sending.js';

/**
 * Replies in the thread of a message (or of a thread's latest message): Gmail threads it because the reply carries
 * the thread id, `In-Reply-To` and `References` naming the parent's Message-ID, and the parent's subject behind
 * one `Re: `. The send is never retried; an `idempotencyKey` makes calling again safe, as in send-email.
 */
const action = createAction({
    description: 'Reply (or reply all) to a Gmail message or thread, in the same thread.',
    version: '1.0.0',
    scopes: ['https://www.googleapis.com/auth/gmail.send', 'https://www.googleapis.com/auth/gmail.readonly'],
    input: ReplyEmailInput,
    output: ReplyEmailOutput,
    exec: async (nango, rawInput) => {
        const input = parseInput(nango, ReplyEmailInput, rawInput);
        if ((input.messageId === undefined) === (input.threadId === undefined)) {
            throw invalidInput(
                nango,
                'messageId',
                'give exactly one of messageId (the message to reply to) or threadId (its latest message)'
            );
        }
        for (const field of ['messageId', 'threadId'] as const) {
            const id = input[field];
            if (id !== undefined && !isGmailId(id))
                throw invalidInput(nango, field, `${JSON.stringify(id)} is not a Gmail id (hexadecimal)`);
        }
        if (input.text === undefined && input.html === undefined) throw invalidInput(nango, 'text', 'text or html is required');
        const attachments = decodeAttachments(nango, input.attachments);
        // The parent's headers (one call) and our own address (to leave it out of a reply-all), side by side.
        const [parent, self] = await Promise.all([
            parentOf(nango, input.messageId !== undefined ? { messageId: input.messageId } : { threadId: input.threadId as string }).catch(
                (error: unknown) => {
                    if (!isNotFound(error)) throw error;
                    const field = input.messageId !== undefined ? 'messageId' : 'threadId';
                    throw invalidInput(nango, field, `no such ${field === 'messageId' ? 'message' : 'thread'} in this mailbox`);
                }
            ),
            ownAddress(nango)
        ]);
        if (!parent) throw invalidInput(nango, 'threadId', 'the thread has no message to reply to');
        if (!parent.messageId) {
            throw invalidInput(
                nango,
                input.messageId !== undefined ? 'messageId' : 'threadId',
                'the message has no Message-ID header to reply to'
            );
        }
        const envelope = replyEnvelope(parent, self, input.replyAll === true);
        if (envelope.to.length === 0) throw invalidInput(nango, 'messageId', 'the message has no sender or recipient to reply to');
        const content = { ...envelope, text: input.text, html: input.html, attachments };
        checkContent(nango, content);
        const messageId = messageIdFor(self, input.idempotencyKey);
        if (input.idempotencyKey !== undefined) {
            const earlier = await findSent(nango, messageId);
            if (earlier) return earlier;
        }
        const raw = composeRaw(nango, { ...content, messageId, date: new Date() });
        return await sendRaw(nango, raw, messageId, parent.threadId);
    }
});

export default action;
