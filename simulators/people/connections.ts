import type { people_v1 } from '@googleapis/people';
import { googleError } from '../common/google-errors.js';
import { SYNC_TOKEN_LIFETIME_MS, personFieldNames, toPerson, type ContactBook, type StoredContact } from './store.js';

/**
 * people.connections.list: full listings, paging, sync tokens and their expiry, with the People API's refusals.
 * https://developers.google.com/people/api/rest/v1/people.connections/list
 */

export class PeopleError extends Error {
    constructor(
        readonly status: number,
        message: string,
        readonly reason?: string
    ) {
        super(message);
    }

    toResponse(): Response {
        return googleError({
            code: this.status,
            message: this.message,
            ...(this.status === 400 && this.reason === 'EXPIRED_SYNC_TOKEN' ? { status: 'FAILED_PRECONDITION' } : {}),
            ...(this.reason
                ? {
                      details: [
                          { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: this.reason, domain: 'people.googleapis.com' }
                      ]
                  }
                : {})
        });
    }
}

const invalid = (message: string): PeopleError => new PeopleError(400, message);

const sortOrders = ['LAST_MODIFIED_ASCENDING', 'LAST_MODIFIED_DESCENDING', 'FIRST_NAME_ASCENDING', 'LAST_NAME_ASCENDING'] as const;
type SortOrder = (typeof sortOrders)[number];
const readSources = [
    'READ_SOURCE_TYPE_CONTACT',
    'READ_SOURCE_TYPE_PROFILE',
    'READ_SOURCE_TYPE_DOMAIN_CONTACT',
    'READ_SOURCE_TYPE_OTHER_CONTACT'
];

export const connectionParams = [
    'personFields',
    'requestMask.includeField',
    'pageSize',
    'pageToken',
    'requestSyncToken',
    'syncToken',
    'sortOrder',
    'sources'
];

interface Request {
    fields: Set<string>;
    pageSize: number;
    sortOrder: SortOrder;
    sources: string[];
    requestSyncToken: boolean;
}

interface SyncToken {
    /** The change sequence the token was issued at. */
    seq: number;
    issuedAt: number;
    epoch: number;
    key: string;
}

interface PageToken {
    key: string;
    /** Full listing: position after which the next page starts. Incremental: the same, in change order. */
    after: string;
    /** Full: the sequence at the first page (the sync token to hand out). Incremental: changes up to here. */
    upTo: number;
    from: number;
    issuedAt: number;
}

/**
 * How long a page token is accepted. People documents no lifetime; Google's API design rules let a list expire page
 * tokens "a reasonable time after they have been sent", three days as the rule of thumb, undocumented, and answer a
 * token they no longer accept with INVALID_ARGUMENT (AIP-158, "Expiring page tokens"). Sync tokens are another
 * matter: seven days, EXPIRED_SYNC_TOKEN (above).
 */
export const PAGE_TOKEN_LIFETIME_MS = 3 * 86_400_000;

function encode(value: object): string {
    return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function decode<T>(token: string, what: string): T {
    try {
        return JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as T;
    } catch {
        throw invalid(`Invalid ${what}.`);
    }
}

function parseRequest(url: URL): Request {
    const raw = url.searchParams.get('personFields') ?? url.searchParams.get('requestMask.includeField');
    if (!raw || raw.trim() === '') {
        throw invalid(
            'personFields mask is required. Please specify one or more valid paths. Valid paths are documented at https://developers.google.com/people/api/rest/v1/people.connections/list.'
        );
    }
    const fields = new Set<string>();
    for (const path of raw.split(',').map((p) => p.trim().replace(/^person\./, ''))) {
        if (!(personFieldNames as readonly string[]).includes(path)) {
            throw invalid(
                `Invalid personFields mask path: "${path}". Valid paths are documented at https://developers.google.com/people/api/rest/v1/people.connections/list.`
            );
        }
        fields.add(path);
    }
    const sizeText = url.searchParams.get('pageSize');
    let pageSize = 100;
    if (sizeText !== null) {
        if (!/^-?\d+$/.test(sizeText)) throw invalid(`Invalid value at 'page_size' (TYPE_INT32), "${sizeText}"`);
        pageSize = Number(sizeText);
        if (pageSize < 0 || pageSize > 1000) throw invalid('pageSize must be between 1 and 1000, inclusive.');
        if (pageSize === 0) pageSize = 100;
    }
    const sortText = url.searchParams.get('sortOrder') ?? 'LAST_MODIFIED_ASCENDING';
    if (!(sortOrders as readonly string[]).includes(sortText))
        throw invalid(
            `Invalid value at 'sort_order' (type.googleapis.com/google.people.v1.ListConnectionsRequest.SortOrder), "${sortText}"`
        );
    const sources = url.searchParams.getAll('sources');
    for (const source of sources) {
        if (!readSources.includes(source))
            throw invalid(`Invalid value at 'sources' (type.googleapis.com/google.people.v1.ReadSourceType), "${source}"`);
    }
    const syncText = url.searchParams.get('requestSyncToken');
    if (syncText !== null && syncText !== 'true' && syncText !== 'false')
        throw invalid(`Invalid value at 'request_sync_token' (TYPE_BOOL), "${syncText}"`);
    return { fields, pageSize, sortOrder: sortText as SortOrder, sources: [...sources].sort(), requestSyncToken: syncText === 'true' };
}

/** The parameters a page token or sync token is bound to. */
function keyOf(request: Request, withPaging: boolean, syncToken: string | null): string {
    const parts = [[...request.fields].sort().join(','), request.sortOrder, request.sources.join(',')];
    if (withPaging) parts.push(String(request.pageSize), String(request.requestSyncToken), syncToken ?? '');
    let h = 0x811c9dc5;
    for (const char of parts.join('|')) h = Math.imul(h ^ char.charCodeAt(0), 0x01000193) >>> 0;
    return h.toString(36);
}

function sortKey(contact: StoredContact, order: SortOrder): string {
    switch (order) {
        case 'LAST_MODIFIED_ASCENDING':
        case 'LAST_MODIFIED_DESCENDING':
            return String(contact.changeSeq).padStart(12, '0');
        case 'FIRST_NAME_ASCENDING':
            return `${contact.givenName.toLowerCase()}\u0000${contact.familyName.toLowerCase()}\u0000${contact.resourceName}`;
        case 'LAST_NAME_ASCENDING':
            return `${contact.familyName.toLowerCase()}\u0000${contact.givenName.toLowerCase()}\u0000${contact.resourceName}`;
    }
}

/** Contacts in listing order: by key, ascending except for LAST_MODIFIED_DESCENDING. */
function sortedByKey(contacts: readonly StoredContact[], order: SortOrder): StoredContact[] {
    const sign = order === 'LAST_MODIFIED_DESCENDING' ? -1 : 1;
    const keyed = contacts.map((contact) => ({ contact, key: sortKey(contact, order) }));
    keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0) * sign);
    return keyed.map((item) => item.contact);
}

/**
 * The live contacts in listing order, kept until the book changes: a 100k-contact listing asks for it 100 times, and
 * sorting it each time made the simulator, not the sync, the cost of a large listing. Only the order is kept (one
 * reference a contact), not the keys: the bench runs the simulator in the sync's process and would count them as the
 * sync's heap. Every create, edit and delete takes a new change sequence number (store.ts), so the number and the
 * count of contacts tell a changed book.
 */
const liveListings = new WeakMap<ContactBook, { changeSeq: number; size: number; order: SortOrder; sorted: StoredContact[] }>();

function sortedLive(book: ContactBook, order: SortOrder): StoredContact[] {
    const cached = liveListings.get(book);
    if (cached && cached.changeSeq === book.changeSeq && cached.size === book.contacts.size && cached.order === order) return cached.sorted;
    const sorted = sortedByKey(book.live(), order);
    liveListings.set(book, { changeSeq: book.changeSeq, size: book.contacts.size, order, sorted });
    return sorted;
}

/** Index of the first contact past `after` in listing order (binary search; keys are unique). */
function firstAfter(sorted: readonly StoredContact[], order: SortOrder, after: string): number {
    const descending = order === 'LAST_MODIFIED_DESCENDING';
    let low = 0;
    let high = sorted.length;
    while (low < high) {
        const middle = (low + high) >>> 1;
        const key = sortKey(sorted[middle]!, order);
        if (descending ? key >= after : key <= after) low = middle + 1;
        else high = middle;
    }
    return low;
}

const expired = (): PeopleError =>
    new PeopleError(400, 'Sync token is expired. Clear local cache and retry call without the sync token.', 'EXPIRED_SYNC_TOKEN');

export function listConnections(book: ContactBook, url: URL, now: number): people_v1.Schema$ListConnectionsResponse {
    const request = parseRequest(url);
    const syncTokenText = url.searchParams.get('syncToken');
    const pageTokenText = url.searchParams.get('pageToken');
    if ((request.requestSyncToken || syncTokenText) && request.sortOrder !== 'LAST_MODIFIED_ASCENDING') {
        throw invalid('Sync requests must use sortOrder LAST_MODIFIED_ASCENDING.');
    }

    let sync: SyncToken | undefined;
    if (syncTokenText) {
        sync = decode<SyncToken>(syncTokenText, 'sync token');
        if (typeof sync.seq !== 'number' || typeof sync.issuedAt !== 'number') throw invalid('Invalid sync token.');
        if (sync.key !== keyOf(request, false, null))
            throw invalid('Request parameters must match the parameters of the request that returned the sync token.');
        if (now - sync.issuedAt > SYNC_TOKEN_LIFETIME_MS || sync.epoch !== book.tokenEpoch) throw expired();
    }

    const pagingKey = keyOf(request, true, syncTokenText);
    let page: PageToken | undefined;
    if (pageTokenText) {
        page = decode<PageToken>(pageTokenText, 'page token');
        if (page.key !== pagingKey)
            throw invalid('Request parameters must match the parameters of the request that returned the page token.');
        if (typeof page.issuedAt !== 'number' || now - page.issuedAt > PAGE_TOKEN_LIFETIME_MS) throw invalid('Invalid page token.');
    }

    const upTo = page?.upTo ?? book.changeSeq - 1;
    const sorted = sync
        ? sortedByKey(
              [...book.contacts.values()].filter((c) => c.changeSeq > sync.seq && c.changeSeq <= upTo),
              request.sortOrder
          )
        : sortedLive(book, request.sortOrder);
    const start = page?.after === undefined ? 0 : firstAfter(sorted, request.sortOrder, page.after);
    const slice = sorted.slice(start, start + request.pageSize);

    const response: people_v1.Schema$ListConnectionsResponse = {};
    if (slice.length > 0) response.connections = slice.map((contact) => toPerson(contact, request.fields));
    const last = slice[slice.length - 1];
    if (sorted.length - start > slice.length && last) {
        response.nextPageToken = encode({
            key: pagingKey,
            after: sortKey(last, request.sortOrder),
            upTo,
            from: sync?.seq ?? 0,
            issuedAt: now
        } satisfies PageToken);
    } else if (request.requestSyncToken) {
        response.nextSyncToken = encode({
            seq: upTo,
            issuedAt: now,
            epoch: book.tokenEpoch,
            key: keyOf(request, false, null)
        } satisfies SyncToken);
    }
    response.totalPeople = sorted.length;
    response.totalItems = sorted.length;
    return response;
}
