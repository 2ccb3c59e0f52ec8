/**
 * Page iterators for the list endpoints the google-mail syncs read. Each parses its page at the boundary and throws
 * if the provider hands back a page token it already gave (a loop that would never end).
 */
import type { NangoAction } from 'nango';
import type { TokenBucket } from '../shared/pace.js';
import { GMAIL_UNITS } from './quota.js';
import { GmailHistoryListResponse, GmailThreadsListResponse, PeopleConnectionsResponse } from './schemas.js';

type Caller = Pick<NangoAction, 'get'>;

/** Retries for idempotent reads: 429s and 5xx are retried by Nango with backoff and Retry-After. */
export const READ_RETRIES = 6;

class TokenLoopGuard {
    private readonly seen = new Set<string>();

    check(token: string | null | undefined, what: string): void {
        if (!token) return;
        if (this.seen.has(token)) throw new Error(`${what}: the provider returned page token ${token} twice`);
        this.seen.add(token);
    }
}

export interface ThreadsPage {
    threadIds: string[];
    /** The token of the page after this one, or null on the last page. */
    nextPageToken: string | null;
}

/** threads.list pages of ids, from `pageToken` (a resumed backfill) or the first page. */
export async function* threadPages(
    nango: Caller,
    options: { q: string; pageToken: string | null; bucket: TokenBucket }
): AsyncGenerator<ThreadsPage> {
    const guard = new TokenLoopGuard();
    let pageToken = options.pageToken;
    guard.check(pageToken, 'threads.list');
    for (;;) {
        await options.bucket.take(GMAIL_UNITS.threadsList);
        // https://developers.google.com/workspace/gmail/api/reference/rest/v1/users.threads/list
        const response = await nango.get({
            endpoint: '/gmail/v1/users/me/threads',
            params: { maxResults: '500', ...(options.q ? { q: options.q } : {}), ...(pageToken ? { pageToken } : {}) },
            retries: READ_RETRIES
        });
        const page = GmailThreadsListResponse.parse(response.data);
        const next = page.nextPageToken ?? null;
        guard.check(next, 'threads.list');
        yield { threadIds: (page.threads ?? []).map((thread) => thread.id), nextPageToken: next };
        if (!next) return;
        pageToken = next;
    }
}

/** history.list pages after `startHistoryId`. A 404 (expired start id) propagates: the caller resyncs. */
export async function* historyPages(
    nango: Caller,
    options: { startHistoryId: string; bucket: TokenBucket }
): AsyncGenerator<GmailHistoryListResponse> {
    const guard = new TokenLoopGuard();
    let pageToken: string | null = null;
    for (;;) {
        await options.bucket.take(GMAIL_UNITS.historyList);
        // https://developers.google.com/workspace/gmail/api/reference/rest/v1/users.history/list
        const response = await nango.get({
            endpoint: '/gmail/v1/users/me/history',
            params: { startHistoryId: options.startHistoryId, maxResults: '500', ...(pageToken ? { pageToken } : {}) },
            retries: READ_RETRIES
        });
        const page = GmailHistoryListResponse.parse(response.data);
        const next = page.nextPageToken ?? null;
        guard.check(next, 'history.list');
        yield page;
        if (!next) return;
        pageToken = next;
    }
}

export const PEOPLE_BASE_URL = 'https://people.googleapis.com';
export const PERSON_FIELDS = 'names,emailAddresses,phoneNumbers,organizations,photos,metadata';

/**
 * people.connections.list pages. A full listing asks for a sync token (delivered on the last page); an incremental
 * one passes it. Paging keeps every other parameter identical to the first call, as People requires.
 */
export async function* connectionPages(
    nango: Caller,
    options: { syncToken: string | null; pageToken: string | null }
): AsyncGenerator<PeopleConnectionsResponse> {
    const guard = new TokenLoopGuard();
    let pageToken = options.pageToken;
    guard.check(pageToken, 'people.connections.list');
    for (;;) {
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
        guard.check(next, 'people.connections.list');
        yield page;
        if (!next) return;
        pageToken = next;
    }
}
