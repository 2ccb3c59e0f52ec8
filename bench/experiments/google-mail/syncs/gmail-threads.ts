import { createSync } from 'nango';
import { GmailThread } from '../../../../models.js';
import { toGmailThread } from '../../../../nango-integrations/google-mail/mappers.js';
import { READ_RETRIES } from '../../../../nango-integrations/google-mail/pages.js';
import { gmailPacer, GMAIL_CONCURRENCY, GMAIL_UNITS } from '../../../../nango-integrations/google-mail/quota.js';
import {
    GmailApiMessage,
    GmailApiThread,
    GmailMessagesListResponse,
    GmailProfile
} from '../../../../nango-integrations/google-mail/schemas.js';
import { isVisible, SAVE_CHUNK } from '../../../../nango-integrations/google-mail/threads.js';
import { mapPooled } from '../../../../nango-integrations/shared/pace.js';

/**
 * Bench experiment (issue 15, "below today's Gmail floor"): a first full sync that learns each thread's size before
 * reading bodies, so a thread of one message is read with messages.get (5 units) instead of threads.get (10).
 *
 * 1. getProfile, for the history id incremental runs would start from (as gmail-threads).
 * 2. messages.list, 500 ids a page at 5 units, with includeSpamTrash so a thread's count is exact: threadId → the
 *    number of its messages and the first message seen (newest first, so the order threads.list gives).
 * 3. Each thread in that order: one message → messages.get?format=full, wrapped as a thread of one; more →
 *    threads.get?format=full. Mapped with gmail-threads' mapper, saved 100 at a time, paced by the same pacer.
 *
 * What it leaves out, being a measurement and not a sync: checkpoints and resume, the backfill window, increments,
 * deleted threads. It holds every thread id in memory (the sizes must be known before the first body is read).
 */
/** messages.list: 5 units a call (Gmail's quota table); gmail-threads never lists messages, so quota.ts has no entry. */
const MESSAGES_LIST_UNITS = 5;

const sync = createSync({
    description: 'Bench experiment: Gmail threads read by size (messages.get for threads of one message)',
    version: '0.0.1',
    frequency: 'every day',
    autoStart: false,
    models: { GmailThread },
    exec: async (nango) => {
        const pacer = gmailPacer();
        await pacer.take(GMAIL_UNITS.getProfile);
        // https://developers.google.com/workspace/gmail/api/reference/rest/v1/users/getProfile
        GmailProfile.parse((await nango.get({ endpoint: '/gmail/v1/users/me/profile', retries: READ_RETRIES })).data);

        const threads = new Map<string, { count: number; firstMessageId: string }>();
        let pageToken: string | null = null;
        do {
            await pacer.take(MESSAGES_LIST_UNITS);
            // https://developers.google.com/workspace/gmail/api/reference/rest/v1/users.messages/list
            const response = await nango.get({
                endpoint: '/gmail/v1/users/me/messages',
                params: { maxResults: '500', includeSpamTrash: 'true', ...(pageToken ? { pageToken } : {}) },
                retries: READ_RETRIES
            });
            const page = GmailMessagesListResponse.parse(response.data);
            for (const message of page.messages ?? []) {
                const known = threads.get(message.threadId);
                if (known) known.count += 1;
                else threads.set(message.threadId, { count: 1, firstMessageId: message.id });
            }
            pageToken = page.nextPageToken ?? null;
        } while (pageToken);

        const order = [...threads.entries()];
        for (let start = 0; start < order.length; start += SAVE_CHUNK) {
            const chunk = order.slice(start, start + SAVE_CHUNK);
            const read = await mapPooled(chunk, { concurrency: GMAIL_CONCURRENCY }, async ([threadId, { count, firstMessageId }]) => {
                const single = count === 1;
                await pacer.take(single ? GMAIL_UNITS.messagesGet : GMAIL_UNITS.threadsGet);
                if (single) {
                    // https://developers.google.com/workspace/gmail/api/reference/rest/v1/users.messages/get (5 units)
                    const response = await nango.get({
                        endpoint: `/gmail/v1/users/me/messages/${encodeURIComponent(firstMessageId)}`,
                        params: { format: 'full' },
                        retries: READ_RETRIES
                    });
                    const message = GmailApiMessage.parse(response.data);
                    return toGmailThread({ id: threadId, historyId: message.historyId, messages: [message] }).thread;
                }
                // https://developers.google.com/workspace/gmail/api/reference/rest/v1/users.threads/get (10 units)
                const response = await nango.get({
                    endpoint: `/gmail/v1/users/me/threads/${encodeURIComponent(threadId)}`,
                    params: { format: 'full' },
                    retries: READ_RETRIES
                });
                return toGmailThread(GmailApiThread.parse(response.data)).thread;
            });
            const visible = read.filter((thread): thread is GmailThread => thread !== null && isVisible(thread));
            await nango.batchSave(visible, 'GmailThread');
        }
    }
});
export default sync;
