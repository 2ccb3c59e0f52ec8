/**
 * SOQL result pages: the first from query/queryAll, the rest by following nextRecordsUrl until `done`, one page
 * ahead.
 *
 * While the caller maps and saves page k, page k+1 is already on its way: each round trip overlaps the caller's
 * work instead of following it, and at most two pages are held (the one being worked on and the one that arrived).
 * A page asked ahead is only asked: what happens to its answer (parsing, the session retry and its log, a refusal
 * becoming the run's error) happens when the caller reads it, so a failure surfaces where the page would have been
 * fetched one at a time, with the same proxy retries and the same error. A caller that stops early (an error, a cut
 * run) never sees it, and the iterator waits for the request to settle before it finishes, so no request of a run
 * outlives it.
 */
import type { NangoAction } from 'nango';
import { PageTokenGuard } from '../shared/page-tokens.js';
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
    return { soql, sentAt, pages: () => followPages(nango, first), settled: () => first.settled };
}

async function* followPages(nango: Caller, first: Ahead): AsyncGenerator<Rows> {
    const guard = new PageTokenGuard('Salesforce query (nextRecordsUrl)');
    let ahead = first;
    try {
        for (;;) {
            const page = SalesforceQueryResponse.parse((await read(nango, ahead)).data);
            if (page.done) {
                yield page.records;
                return;
            }
            ahead = sendNext(nango, guard, page.nextRecordsUrl);
            yield page.records;
        }
    } finally {
        await ahead.settled;
    }
}

/** The next page's request, or, when the locator is unusable, the error reading it will throw. */
function sendNext(nango: Caller, guard: PageTokenGuard, next: string | undefined): Ahead {
    const what = `GET ${String(next)}`;
    try {
        if (next === undefined || !NEXT_RECORDS_URL.test(next))
            throw new Error(`Salesforce returned a page that is not done without a usable nextRecordsUrl: ${JSON.stringify(next)}`);
        guard.check(next);
    } catch (error) {
        return sendAhead(what, () => Promise.reject(error));
    }
    // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_query.htm (retrieving the remaining results)
    return sendAhead(what, async () => await nango.get({ endpoint: next, headers: HEADERS, retries: READ_RETRIES }));
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
