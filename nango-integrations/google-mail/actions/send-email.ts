import { createAction } from 'nango';
import { SendEmailInput, SendEmailOutput } from '../../../models.js';
import { parseInput } from '../../shared/input.js';
import { checkContent, composeRaw, decodeAttachments, findSent, messageIdFor, ownAddress, sendRaw } from '../sending.js';

/**
 * Sends a new message. The send itself is never retried: on `send_outcome_unknown` (timeout, network error, 5xx) the
 * mail may have gone out. With an `idempotencyKey`, calling again with the same input is safe: the Message-ID comes
 * from the key, and a message already in the mailbox with it is returned instead of sent again. Without one, search
 * SENT for the `messageId` in the error payload (`rfc822msgid:<id>`) before sending again. `send_failed` means Gmail
 * refused it and nothing was sent.
 */
const action = createAction({
    description: 'Send an email (text and/or HTML, attachments) from the connected Gmail account.',
    version: '1.0.0',
    scopes: ['https://www.googleapis.com/auth/gmail.send'],
    input: SendEmailInput,
    output: SendEmailOutput,
    exec: async (nango, rawInput) => {
        const input = parseInput(nango, SendEmailInput, rawInput);
        const content = {
            from: input.from,
            to: input.to,
            cc: input.cc,
            bcc: input.bcc,
            replyTo: input.replyTo,
            subject: input.subject,
            text: input.text,
            html: input.html,
            attachments: decodeAttachments(nango, input.attachments)
        };
        checkContent(nango, content);
        // The Message-ID is ours so that a caller can find the message after a timeout; its domain is the sender's.
        const sender = input.from?.email ?? (await ownAddress(nango));
        const messageId = messageIdFor(sender, input.idempotencyKey);
        if (input.idempotencyKey !== undefined) {
            const earlier = await findSent(nango, messageId);
            if (earlier) return earlier;
        }
        const raw = composeRaw(nango, { ...content, messageId, date: new Date() });
        return await sendRaw(nango, raw, messageId);
    }
});

export default action;
