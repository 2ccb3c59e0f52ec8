/**
 * SOQL result pages: the first from query/queryAll, the rest by following nextRecordsUrl until `done`, one page
 * ahead.
 *
 * While the caller maps and saves page k, page k+1 is already on its way (readAhead, shared/read-ahead.ts): each
 * round trip overlaps the caller's work instead of following it, and at most two pages are held. A failure of the
 * page asked ahead, after the same proxy retries and session retry, is raised only when the caller asks for that
 * page, where a one-at-a-time read would have had it. A caller that stops early (an error, a cut run) never sees it,
 * and the iterator waits for the request in flight to settle, so no request of a run outlives it.
 *
 * The first page's request goes out even before the caller iterates, since a run sends its query beside describe
 * (incremental.ts); its answer is read, session retry included, only once the caller starts, or never (`settled`).
 */
import type { NangoAction } from 'nango';
import { PageTokenGuard } from '../shared/page-tokens.js';
import { readAhead } from '../shared/read-ahead.js';
import { dataPath, QUERY_BATCH_SIZE, READ_RETRIES, withSessionRetry } from './api.js';
import { SalesforceQueryResponse } from './schemas.js';

type Caller = Pick<NangoAction, 'get' | 'log'>;
type Rows = Record<string, unknown>[];

const NEXT_RECORDS_URL = /^\/services\/data\/v\d+\.\d+\/(query|queryAll)\/[A-Za-z0-9]+-\d+$/;
const HEADERS = { 'Sforce-Query-Options': `batchSize=${QUERY_BATCH_SIZE}` };

/** A query already sent. Its pages are read once, or never: then `settled()` before the run goes on. */
export interface SalesforceQuery {
    readonly soql: string;
    /** When it was sent (ms on the run's clock): Salesforce's snapshot of the rows is no older. */
    readonly sentAt: number;
    /** Each page's rows. A locator (nextRecordsUrl) is followed within this run and never stored. */
    pages(): AsyncGenerator<Rows>;
    /** Resolves once the first page's request is over, whatever its outcome, which nobody will read. */
    settled(): Promise<void>;
}

/**
 * Sends the query now. `includeDeleted` uses queryAll, which also returns rows in the recycle bin (IsDeleted =
 * true). The iterator throws if Salesforce hands the same locator back twice.
 */
export function sendSalesforceQuery(nango: Caller, soql: string, options: { includeDeleted: boolean }): SalesforceQuery {
    const resource = options.includeDeleted ? 'queryAll' : 'query';
    const sentAt = Date.now();
    // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_queryall.htm
    const first = sendAhead(
        `GET ${resource}`,
        async () => await nango.get({ endpoint: dataPath(resource), params: { q: soql }, headers: HEADERS, retries: READ_RETRIES })
    );
    return { soql, sentAt, pages: () => readAhead(followPages(nango, first)), settled: () => first.settled };
}

/** The pages in order, one at a time; readAhead asks for each next one while the caller works on the current one. */
async function* followPages(nango: Caller, first: Ahead): AsyncGenerator<Rows> {
    const guard = new PageTokenGuard('Salesforce query (nextRecordsUrl)');
    let page = SalesforceQueryResponse.parse((await read(nango, first)).data);
    for (;;) {
        yield page.records;
        if (page.done) return;
        const next = page.nextRecordsUrl;
        if (next === undefined || !NEXT_RECORDS_URL.test(next))
            throw new Error(`Salesforce returned a page that is not done without a usable nextRecordsUrl: ${JSON.stringify(next)}`);
        guard.check(next);
        // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_query.htm (retrieving the remaining results)
        page = SalesforceQueryResponse.parse(
            (await withSessionRetry(nango, `GET ${next}`, () => nango.get({ endpoint: next, headers: HEADERS, retries: READ_RETRIES })))
                .data
        );
    }
}

type Answer = Awaited<ReturnType<Caller['get']>>;

/** A request sent before anyone reads it. */
interface Ahead {
    what: string;
    /** The first attempt; its rejection is kept for the reader, never reported as unhandled. */
    answer: Promise<Answer>;
    /** Sends it again (the session retry). */
    send: () => Promise<Answer>;
    settled: Promise<void>;
}

function sendAhead(what: string, send: () => Promise<Answer>): Ahead {
    const answer = send();
    const settled = answer.then(
        () => undefined,
        () => undefined
    );
    return { what, answer, send, settled };
}

/** The answer, read as if the request were sent now: the session retry's first attempt is the one under way. */
async function read(nango: Caller, ahead: Ahead): Promise<Answer> {
    let attempt: Promise<Answer> | null = ahead.answer;
    return await withSessionRetry(nango, ahead.what, () => {
        const answer = attempt ?? ahead.send();
        attempt = null;
        return answer;
    });
}
