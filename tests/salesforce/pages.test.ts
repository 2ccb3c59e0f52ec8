/**
 * The query iterator on its own (nango-integrations/salesforce/pages.ts), against the simulator through msw: a
 * small stand-in for the proxy records when each request is sent, which a run through the runtime cannot show
 * (there, the request and the caller's saves interleave on microtasks).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../runtime/index.js';
import { SalesforceSimulator } from '../../simulators/salesforce/index.js';
import { sendSalesforceQuery } from '../../nango-integrations/salesforce/pages.js';
import { server } from '../support/msw.js';

interface GetConfig {
    endpoint: string;
    params?: Record<string, string>;
    headers?: Record<string, string>;
    retries: number;
}

let sim: SalesforceSimulator;
let sent: string[];

/** nango.get as the scripts see it: the answer's `data`, or an axios-shaped error carrying Salesforce's body. */
const nango = {
    get: async (config: GetConfig) => {
        const url = new URL(`${sim.instanceUrl}${config.endpoint}`);
        for (const [key, value] of Object.entries(config.params ?? {})) url.searchParams.set(key, value);
        sent.push(`${url.pathname.replace(/^.*\/(query|queryAll)/, '$1')}${url.search ? ' (first)' : ''}`);
        const response = await fetch(url, { headers: { ...config.headers, authorization: 'Bearer test-access-token' } });
        const data: unknown = await response.json();
        if (!response.ok)
            throw Object.assign(new Error(`HTTP ${response.status}`), { isAxiosError: true, response: { status: response.status, data } });
        return { data, status: response.status, headers: {} };
    },
    log: async () => undefined
};

const SOQL = 'SELECT Id, IsDeleted, SystemModstamp FROM Lead ORDER BY SystemModstamp, Id';

beforeEach(() => {
    sim = new SalesforceSimulator({ clock: new VirtualClock(), seed: 3, leads: 1000, opportunities: 0 });
    sim.store.pageSizeCap = 200;
    server.use(...sim.handlers);
    sent = [];
});

describe('sendSalesforceQuery', () => {
    it('sends the query at once, and each next page as soon as the current one is handed out', async () => {
        const query = sendSalesforceQuery(nango as never, SOQL, { includeDeleted: true });
        expect(sent).toEqual(['queryAll (first)']);
        const pages = query.pages();
        const first = await pages.next();
        expect(first.value).toHaveLength(200);
        // Page 2 is on its way while the caller holds page 1.
        expect(sent).toEqual(['queryAll (first)', expect.stringMatching(/^queryAll\/\w+-200$/)]);
        await new Promise((resolve) => setTimeout(resolve, 20));
        // Never more than one ahead, however long the caller takes.
        expect(sent).toHaveLength(2);
        let rows = 200;
        for await (const page of pages) rows += page.length;
        expect(rows).toBe(sim.store.table('Lead').size);
        expect(sent).toHaveLength(Math.ceil(rows / 200));
    });

    it('surfaces a failure of the page asked ahead only when the caller asks for it', async () => {
        sim.core.faults.inject('queryMore', { kind: 'status', status: 500 });
        const pages = sendSalesforceQuery(nango as never, SOQL, { includeDeleted: true }).pages();
        expect((await pages.next()).value).toHaveLength(200);
        await new Promise((resolve) => setTimeout(resolve, 20));
        await expect(pages.next()).rejects.toThrow(/Salesforce refused GET \/services\/data\/v\d+\.0\/queryAll\/\w+-200 \(HTTP 500\)/);
    });

    it('lets a caller that stops early go on only once the request asked ahead is over', async () => {
        const pages = sendSalesforceQuery(nango as never, SOQL, { includeDeleted: true }).pages();
        await pages.next();
        expect(sent).toHaveLength(2);
        await pages.return(undefined);
        // The second page's request was answered before return() resolved, and nothing else was sent.
        expect(sim.core.meter.totals().calls).toBe(2);
        expect(sent).toHaveLength(2);
    });

    it('holds nothing back when the first request was never read', async () => {
        const query = sendSalesforceQuery(nango as never, SOQL, { includeDeleted: true });
        await query.settled();
        expect(sent).toEqual(['queryAll (first)']);
        expect(sim.core.meter.totals().calls).toBe(1);
    });
});
