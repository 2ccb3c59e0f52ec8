import type { gmail_v1 } from '@googleapis/gmail';
import { render, snippetOf } from './payload.js';
import { parseQuery, type ParsedQuery } from './query.js';
import { threadLatest, type HistoryType, type Mailbox, type StoredMessage, type StoredThread } from './store.js';

/**
 * The list endpoints' paging. A page token is bound to the query that produced it (a token replayed with other
 * filters is refused) and holds a position in the order, not an offset, so mail arriving between two pages does
 * not shift later pages; a thread that gains a message moves to the top and is not seen again by a crawl that has
 * passed it, as in Gmail (which is why a sync must take the mailbox historyId before its backfill).
 */

export class BadPageToken extends Error {}

function hash(text: string): string {
    let h = 0x811c9dc5;
    for (let i = 0; i < text.length; i += 1) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
    return h.toString(36);
}

/**
 * How long a page token is accepted. Gmail documents no lifetime; Google's API design rules let a list expire its
 * page tokens "a reasonable time after they have been sent", three days as the rule of thumb, without documenting it
 * (AIP-158, "Expiring page tokens"), and answer a token they no longer accept with INVALID_ARGUMENT. So a token kept
 * across runs (a cut backfill resumed days later) must be expected to fail.
 */
export const PAGE_TOKEN_LIFETIME_MS = 3 * 86_400_000;

export function makePageToken(scope: string, cursor: string, now: number): string {
    return Buffer.from(`${hash(scope)}|${now.toString(36)}|${cursor}`, 'utf8').toString('base64url');
}

export function readPageToken(token: string, scope: string, now: number): string {
    const decoded = Buffer.from(token, 'base64url').toString('utf8');
    const [scopeHash, issued, ...cursor] = decoded.split('|');
    if (scopeHash !== hash(scope) || issued === undefined || cursor.length === 0) throw new BadPageToken('Invalid pageToken');
    const issuedAt = parseInt(issued, 36);
    if (!Number.isFinite(issuedAt) || now - issuedAt > PAGE_TOKEN_LIFETIME_MS) throw new BadPageToken('Invalid pageToken');
    return cursor.join('|');
}

export interface ListParams {
    q: string;
    labelIds: string[];
    includeSpamTrash: boolean;
    maxResults: number;
    pageToken?: string | undefined;
}

function eligibility(mailbox: Mailbox, params: ListParams): (m: StoredMessage) => boolean {
    const query: ParsedQuery = parseQuery(params.q, mailbox);
    const spamTrashAllowed =
        params.includeSpamTrash || query.includesSpamTrash || params.labelIds.some((label) => label === 'SPAM' || label === 'TRASH');
    return (m) =>
        (spamTrashAllowed || (!m.labelIds.includes('SPAM') && !m.labelIds.includes('TRASH'))) &&
        params.labelIds.every((label) => m.labelIds.includes(label)) &&
        query.predicate(m);
}

function scopeOf(kind: string, params: ListParams): string {
    return JSON.stringify([kind, params.q.trim(), [...params.labelIds].sort(), params.includeSpamTrash]);
}

const estimates = new WeakMap<Mailbox, { key: string; version: number; count: number }>();

function estimate(mailbox: Mailbox, key: string, count: () => number): number {
    const cached = estimates.get(mailbox);
    if (cached && cached.key === key && cached.version === mailbox.version) return cached.count;
    const value = count();
    estimates.set(mailbox, { key, version: mailbox.version, count: value });
    return value;
}

/** Index of the first item strictly after `cursor` in a newest-first order. */
function after<T>(items: readonly T[], key: (item: T) => [number, string], cursor: [number, string]): number {
    let low = 0;
    let high = items.length;
    while (low < high) {
        const mid = (low + high) >> 1;
        const [date, id] = key(items[mid]!);
        const isBeforeOrAt = date > cursor[0] || (date === cursor[0] && id >= cursor[1]);
        if (isBeforeOrAt) low = mid + 1;
        else high = mid;
    }
    return low;
}

function parseCursor(cursor: string): [number, string] {
    const [date, id] = cursor.split(':');
    if (!date || !id || !/^\d+$/.test(date)) throw new BadPageToken('Invalid pageToken');
    return [Number(date), id];
}

/** https://developers.google.com/gmail/api/reference/rest/v1/users.threads/list */
export function listThreads(mailbox: Mailbox, params: ListParams): gmail_v1.Schema$ListThreadsResponse {
    const scope = scopeOf('threads', params);
    const matches = eligibility(mailbox, params);
    const threadMatches = (thread: StoredThread): boolean => thread.messages.some(matches);
    const ordered = mailbox.orderedThreads();
    const key = (thread: StoredThread): [number, string] => [threadLatest(thread), thread.id];
    const start = params.pageToken ? after(ordered, key, parseCursor(readPageToken(params.pageToken, scope, mailbox.clock.now()))) : 0;
    const page: StoredThread[] = [];
    let index = start;
    for (; index < ordered.length && page.length < params.maxResults; index += 1) {
        if (threadMatches(ordered[index]!)) page.push(ordered[index]!);
    }
    let more = false;
    for (; index < ordered.length && !more; index += 1) more = threadMatches(ordered[index]!);
    const response: gmail_v1.Schema$ListThreadsResponse = {};
    if (page.length > 0) {
        response.threads = page.map((thread) => {
            const latest = thread.messages[thread.messages.length - 1]!;
            return { id: thread.id, snippet: snippetOf(render(mailbox, latest).tree), historyId: String(thread.historyId) };
        });
    }
    const last = page[page.length - 1];
    if (more && last) response.nextPageToken = makePageToken(scope, `${threadLatest(last)}:${last.id}`, mailbox.clock.now());
    response.resultSizeEstimate = estimate(mailbox, scope, () => ordered.filter(threadMatches).length);
    return response;
}

/** https://developers.google.com/gmail/api/reference/rest/v1/users.messages/list */
export function listMessages(mailbox: Mailbox, params: ListParams): gmail_v1.Schema$ListMessagesResponse {
    const scope = scopeOf('messages', params);
    const matches = eligibility(mailbox, params);
    const ordered = mailbox.orderedMessages();
    const key = (m: StoredMessage): [number, string] => [m.internalDate, m.id];
    const start = params.pageToken ? after(ordered, key, parseCursor(readPageToken(params.pageToken, scope, mailbox.clock.now()))) : 0;
    const page: StoredMessage[] = [];
    let index = start;
    for (; index < ordered.length && page.length < params.maxResults; index += 1) {
        if (matches(ordered[index]!)) page.push(ordered[index]!);
    }
    let more = false;
    for (; index < ordered.length && !more; index += 1) more = matches(ordered[index]!);
    const response: gmail_v1.Schema$ListMessagesResponse = {};
    if (page.length > 0) response.messages = page.map((m) => ({ id: m.id, threadId: m.threadId }));
    const last = page[page.length - 1];
    if (more && last) response.nextPageToken = makePageToken(scope, `${last.internalDate}:${last.id}`, mailbox.clock.now());
    response.resultSizeEstimate = estimate(mailbox, scope, () => ordered.filter(matches).length);
    return response;
}

export interface HistoryParams {
    startHistoryId: number;
    historyTypes: HistoryType[];
    labelId?: string | undefined;
    maxResults: number;
    pageToken?: string | undefined;
}

const historyKeys: Record<HistoryType, 'messagesAdded' | 'messagesDeleted' | 'labelsAdded' | 'labelsRemoved'> = {
    messageAdded: 'messagesAdded',
    messageDeleted: 'messagesDeleted',
    labelAdded: 'labelsAdded',
    labelRemoved: 'labelsRemoved'
};

/**
 * https://developers.google.com/gmail/api/reference/rest/v1/users.history/list
 * Records after `startHistoryId`, oldest first. Answers `expired` when the start id is older than what the mailbox
 * still keeps (Gmail: 404), checked on every page, so a crawl overtaken by the horizon fails as it would there.
 */
export function listHistory(mailbox: Mailbox, params: HistoryParams): gmail_v1.Schema$ListHistoryResponse | 'expired' {
    mailbox.pruneHistory();
    if (params.startHistoryId < mailbox.horizon) return 'expired';
    const scope = JSON.stringify(['history', params.startHistoryId, [...params.historyTypes].sort(), params.labelId ?? '']);
    let from = params.startHistoryId;
    if (params.pageToken) {
        const cursor = readPageToken(params.pageToken, scope, mailbox.clock.now());
        if (!/^\d+$/.test(cursor)) throw new BadPageToken('Invalid pageToken');
        from = Number(cursor);
    }
    const types = params.historyTypes.length > 0 ? params.historyTypes : null;
    const history = mailbox.history;
    let low = 0;
    let high = history.length;
    while (low < high) {
        const mid = (low + high) >> 1;
        if (history[mid]!.id <= from) low = mid + 1;
        else high = mid;
    }
    const matches = (index: number): boolean => {
        const record = history[index]!;
        if (types && !types.includes(record.type)) return false;
        if (params.labelId && !record.labelIds.includes(params.labelId) && !(record.changed ?? []).includes(params.labelId)) return false;
        return true;
    };
    const page: gmail_v1.Schema$History[] = [];
    let index = low;
    let lastId = from;
    for (; index < history.length && page.length < params.maxResults; index += 1) {
        if (!matches(index)) continue;
        const record = history[index]!;
        lastId = record.id;
        const message = { id: record.messageId, threadId: record.threadId, labelIds: [...record.labelIds] };
        const entry: gmail_v1.Schema$History = { id: String(record.id), messages: [{ id: record.messageId, threadId: record.threadId }] };
        const change = record.changed ? { message, labelIds: [...record.changed] } : { message };
        entry[historyKeys[record.type]] = [change];
        page.push(entry);
    }
    let more = false;
    for (; index < history.length && !more; index += 1) more = matches(index);
    const response: gmail_v1.Schema$ListHistoryResponse = {};
    if (page.length > 0) response.history = page;
    if (more) response.nextPageToken = makePageToken(scope, String(lastId), mailbox.clock.now());
    response.historyId = String(mailbox.historyId);
    return response;
}
