/**
 * Page iterators for the list endpoints the google-mail syncs read. Each parses its page at the boundary and throws
 * if the provider hands back a page token it already gave (a loop that would never end). The two listings resumed
 * from a checkpoint's page token (threads.list, connections.list) start again from their first page when Google
 * refuses that token (shared/page-tokens.ts).
 */
import type { NangoAction } from 'nango';
import { describeFailure, googleFailureOf } from '../shared/google-errors.js';
import type { Pacer, WindowPacer } from '../shared/pace.js';
import { PageTokenGuard, resumedPages } from '../shared/page-tokens.js';
import { GMAIL_UNITS } from './quota.js';
import { GmailHistoryListResponse, GmailMessagesListResponse, GmailThreadsListResponse, PeopleConnectionsResponse } from './schemas.js';

type Caller = Pick<NangoAction, 'get' | 'log'>;

/** Retries for idempotent reads: 429s and 5xx are retried by Nango with backoff and Retry-After. */
export const READ_RETRIES = 6;

/** Google answers a page token it no longer accepts with 400 INVALID_ARGUMENT (https://google.aip.dev/158). */
function isRefusedPageToken(error: unknown): boolean {
    return googleFailureOf(error).status === 400;
}

/** Resumes `pages` from a stored token; `onRestart` tells the sync to forget that token when Google refuses it. */
function resumed<Page>(
    nango: Caller,
    listing: string,
    pageToken: string | null,
    onRestart: () => void,
    pages: (pageToken: string | null) => AsyncGenerator<Page>
): AsyncGenerator<Page> {
    return resumedPages(pageToken, {
        pages,
        isRefusedToken: isRefusedPageToken,
        onRestart: async (error) => {
            await nango.log(`The stored ${listing} page token was refused (${describeFailure(error)}): listing again from the first page`, {
                level: 'warn'
            });
            onRestart();
        }
    });
}

export interface ThreadsPage {
    threadIds: string[];
    /** Each listed thread's history id, when Gmail gave one: the thread as it was when listed. */
    historyIds: Map<string, string>;
    /** The token of the page after this one, or null on the last page. */
    nextPageToken: string | null;
}

/**
 * threads.list pages of ids, from `pageToken` (a resumed backfill) or the first page; `onRestart` is called if Google
 * refuses the stored token and the listing starts over.
 */
export function threadPages(
    nango: Caller,
    options: { q: string; pageToken: string | null; pacer: Pacer; onRestart: () => void }
): AsyncGenerator<ThreadsPage> {
    return resumed(nango, 'threads.list', options.pageToken, options.onRestart, (pageToken) =>
        listThreads(nango, { ...options, pageToken })
    );
}

async function* listThreads(nango: Caller, options: { q: string; pageToken: string | null; pacer: Pacer }): AsyncGenerator<ThreadsPage> {
    const guard = new PageTokenGuard('threads.list');
    let pageToken = options.pageToken;
    guard.check(pageToken);
    for (;;) {
        await options.pacer.take(GMAIL_UNITS.threadsList);
        // https://developers.google.com/workspace/gmail/api/reference/rest/v1/users.threads/list
        const response = await nango.get({
            endpoint: '/gmail/v1/users/me/threads',
            params: { maxResults: '500', ...(options.q ? { q: options.q } : {}), ...(pageToken ? { pageToken } : {}) },
            retries: READ_RETRIES
        });
        const page = GmailThreadsListResponse.parse(response.data);
        const next = page.nextPageToken ?? null;
        guard.check(next);
        const threads = page.threads ?? [];
        const historyIds = new Map<string, string>();
        for (const thread of threads) if (thread.historyId) historyIds.set(thread.id, thread.historyId);
        yield { threadIds: threads.map((thread) => thread.id), historyIds, nextPageToken: next };
        if (!next) return;
        pageToken = next;
    }
}

/**
 * messages.list pages of every message, spam and trash included, newest first: each message's id and thread id, 500
 * a page at 5 units. Never resumed from a checkpoint, so a refused token is an error like any other.
 */
export async function* messagePages(nango: Caller, options: { pacer: Pacer }): AsyncGenerator<GmailMessagesListResponse> {
    const guard = new PageTokenGuard('messages.list');
    let pageToken: string | null = null;
    for (;;) {
        await options.pacer.take(GMAIL_UNITS.messagesList);
        // https://developers.google.com/workspace/gmail/api/reference/rest/v1/users.messages/list
        const response = await nango.get({
            endpoint: '/gmail/v1/users/me/messages',
            params: { maxResults: '500', includeSpamTrash: 'true', ...(pageToken ? { pageToken } : {}) },
            retries: READ_RETRIES
        });
        const page = GmailMessagesListResponse.parse(response.data);
        const next = page.nextPageToken ?? null;
        guard.check(next);
        yield page;
        if (!next) return;
        pageToken = next;
    }
}

/** history.list pages after `startHistoryId`. A 404 (expired start id) propagates: the caller resyncs. */
export async function* historyPages(
    nango: Caller,
    options: { startHistoryId: string; pacer: Pacer }
): AsyncGenerator<GmailHistoryListResponse> {
    const guard = new PageTokenGuard('history.list');
    let pageToken: string | null = null;
    for (;;) {
        await options.pacer.take(GMAIL_UNITS.historyList);
        // https://developers.google.com/workspace/gmail/api/reference/rest/v1/users.history/list
        const response = await nango.get({
            endpoint: '/gmail/v1/users/me/history',
            params: { startHistoryId: options.startHistoryId, maxResults: '500', ...(pageToken ? { pageToken } : {}) },
            retries: READ_RETRIES
        });
        const page = GmailHistoryListResponse.parse(response.data);
        const next = page.nextPageToken ?? null;
        guard.check(next);
        yield page;
        if (!next) return;
        pageToken = next;
    }
}

export const PEOPLE_BASE_URL = 'https://people.googleapis.com';
export const PERSON_FIELDS = 'names,emailAddresses,phoneNumbers,organizations,photos,metadata';

/**
 * people.connections.list pages. A full listing asks for a sync token (delivered on the last page); an incremental
 * one passes it. Paging keeps every other parameter identical to the first call, as People requires. A stored
 * `pageToken` that People refuses restarts the listing from its first page (`onRestart` is told).
 */
export function connectionPages(
    nango: Caller,
    options: { syncToken: string | null; pageToken: string | null; pacer: WindowPacer; onRestart: () => void }
): AsyncGenerator<PeopleConnectionsResponse> {
    return resumed(nango, 'people.connections.list', options.pageToken, options.onRestart, (pageToken) =>
        listConnections(nango, { syncToken: options.syncToken, pageToken, pacer: options.pacer })
    );
}

async function* listConnections(
    nango: Caller,
    options: { syncToken: string | null; pageToken: string | null; pacer: WindowPacer }
): AsyncGenerator<PeopleConnectionsResponse> {
    const guard = new PageTokenGuard('people.connections.list');
    let pageToken = options.pageToken;
    guard.check(pageToken);
    for (;;) {
        await options.pacer.take();
        // https://developers.google.com/people/api/rest/v1/people.connections/list
        const response = await nango.get({
            baseUrlOverride: PEOPLE_BASE_URL,
            endpoint: '/v1/people/me/connections',
            params: {
                personFields: PERSON_FIELDS,
                pageSize: '1000',
                requestSyncToken: 'true',
                ...(options.syncToken ? { syncToken: options.syncToken } : {}),
                ...(pageToken ? { pageToken } : {})
            },
            retries: READ_RETRIES
        });
        const page = PeopleConnectionsResponse.parse(response.data);
        const next = page.nextPageToken ?? null;
        guard.check(next);
        yield page;
        if (!next) return;
        pageToken = next;
    }
}
