/** SOQL result pages: the first from query/queryAll, the rest by following nextRecordsUrl until `done`. */
import type { NangoAction } from 'nango';
import { PageTokenGuard } from '../shared/page-tokens.js';
import { dataPath, QUERY_BATCH_SIZE, READ_RETRIES, withSessionRetry } from './api.js';
import { SalesforceQueryResponse } from './schemas.js';

type Caller = Pick<NangoAction, 'get' | 'log'>;

const NEXT_RECORDS_URL = /^\/services\/data\/v\d+\.\d+\/(query|queryAll)\/[A-Za-z0-9]+-\d+$/;

/**
 * Yields each page's rows. `includeDeleted` uses queryAll, which also returns rows in the recycle bin
 * (IsDeleted = true). A locator (nextRecordsUrl) lives only on the server and for minutes: it is followed within this
 * run and never stored; the iterator throws if Salesforce hands the same one back twice.
 */
export async function* salesforceQueryPages(
    nango: Caller,
    soql: string,
    options: { includeDeleted: boolean }
): AsyncGenerator<Record<string, unknown>[]> {
    const headers = { 'Sforce-Query-Options': `batchSize=${QUERY_BATCH_SIZE}` };
    const resource = options.includeDeleted ? 'queryAll' : 'query';
    // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_queryall.htm
    let page = SalesforceQueryResponse.parse(
        (
            await withSessionRetry(nango, `GET ${resource}`, () =>
                nango.get({ endpoint: dataPath(resource), params: { q: soql }, headers, retries: READ_RETRIES })
            )
        ).data
    );
    const guard = new PageTokenGuard('Salesforce query (nextRecordsUrl)');
    for (;;) {
        yield page.records;
        if (page.done) return;
        const next = page.nextRecordsUrl;
        if (next === undefined || !NEXT_RECORDS_URL.test(next))
            throw new Error(`Salesforce returned a page that is not done without a usable nextRecordsUrl: ${JSON.stringify(next)}`);
        guard.check(next);
        // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_query.htm (retrieving the remaining results)
        page = SalesforceQueryResponse.parse(
            (await withSessionRetry(nango, `GET ${next}`, () => nango.get({ endpoint: next, headers, retries: READ_RETRIES }))).data
        );
    }
}
