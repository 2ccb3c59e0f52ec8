import { createSync } from 'nango';
import { GmailThread } from '../../../../models.js';
import { toGmailThread } from '../../../../nango-integrations/google-mail/mappers.js';
import { GmailApiThread, GmailThreadsListResponse } from '../../../../nango-integrations/google-mail/schemas.js';

/**
 * The naive baseline the bench compares gmail-threads with, written the way the simplest guide would: list every
 * thread id (default page size), then fetch each thread one at a time, keep everything in memory, save at the end.
 * It maps with the repository's own mapper, so the comparison is about fetching, pacing and memory, not parsing.
 */
const sync = createSync({
    description: 'Bench baseline: naive Gmail threads sync',
    version: '0.0.1',
    frequency: 'every day',
    autoStart: false,
    models: { GmailThread },
    exec: async (nango) => {
        const ids: string[] = [];
        let pageToken: string | undefined;
        do {
            // https://developers.google.com/workspace/gmail/api/reference/rest/v1/users.threads/list
            const response = await nango.get({
                endpoint: '/gmail/v1/users/me/threads',
                params: pageToken ? { pageToken } : {},
                retries: 10
            });
            const page = GmailThreadsListResponse.parse(response.data);
            ids.push(...(page.threads ?? []).map((thread) => thread.id));
            pageToken = page.nextPageToken ?? undefined;
        } while (pageToken);

        const threads: GmailThread[] = [];
        for (const id of ids) {
            // https://developers.google.com/workspace/gmail/api/reference/rest/v1/users.threads/get
            const response = await nango.get({ endpoint: `/gmail/v1/users/me/threads/${id}`, params: { format: 'full' }, retries: 10 });
            const mapped = toGmailThread(GmailApiThread.parse(response.data));
            if (mapped.thread) threads.push(mapped.thread);
        }
        await nango.batchSave(threads, 'GmailThread');
    }
});
export default sync;
