import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../runtime/clock.js';
import { backoffMs, ProxyHttpError, sendProxyRequest, type ProxyContext } from '../../runtime/proxy.js';
import { server } from '../support/msw.js';
import { GMAIL } from './support/fixtures.js';

const CALENDAR = 'https://www.googleapis.com/calendar/v3';

function context(
    overrides: Partial<ProxyContext> = {}
): ProxyContext & { clock: VirtualClock; logs: string[]; attempts: (number | null)[] } {
    const logs: string[] = [];
    const attempts: (number | null)[] = [];
    return {
        provider: 'google-mail',
        accessToken: 'secret-token',
        connectionConfig: {},
        clock: new VirtualClock(),
        userAgent: 'test',
        log: (_level, message) => logs.push(message),
        onAttempt: ({ status }) => attempts.push(status),
        logs,
        attempts,
        ...overrides
    } as ProxyContext & { clock: VirtualClock; logs: string[]; attempts: (number | null)[] };
}

/** Answers each request with the next of `statuses` (then 200 with `{ ok: true }`), recording the clock at each. */
function sequence(
    url: string,
    statuses: (number | 'network' | { status: number; headers: Record<string, string> })[],
    clock: VirtualClock,
    times: number[] = []
) {
    let i = 0;
    return http.all(url, () => {
        times.push(clock.now());
        const next = statuses[i++];
        if (next === undefined) return HttpResponse.json({ ok: true });
        if (next === 'network') return HttpResponse.error();
        const { status, headers } = typeof next === 'number' ? { status: next, headers: {} } : next;
        return HttpResponse.json({ error: { code: status, message: `status ${status}` } }, { status, headers });
    });
}

async function failure(promise: Promise<unknown>): Promise<ProxyHttpError> {
    try {
        await promise;
    } catch (err) {
        if (err instanceof ProxyHttpError) return err;
        throw err;
    }
    throw new Error('expected the request to fail');
}

describe('proxy: requests as Nango builds them', () => {
    it('joins base URL and endpoint, sends params, headers, the bearer token and a JSON body', async () => {
        let seen: { url: string; auth: string | null; type: string | null; custom: string | null; body: unknown } | undefined;
        server.use(
            http.post(`${GMAIL}/messages/send`, async ({ request }) => {
                seen = {
                    url: request.url,
                    auth: request.headers.get('authorization'),
                    type: request.headers.get('content-type'),
                    custom: request.headers.get('x-custom'),
                    body: await request.json()
                };
                return HttpResponse.json({ id: 'm1' }, { headers: { 'X-Answer': 'yes' } });
            })
        );
        const ctx = context();
        const res = await sendProxyRequest(
            {
                endpoint: '/gmail/v1/users/me/messages/send',
                method: 'POST',
                params: { a: 'b c', n: 2 },
                headers: { 'X-Custom': 'v' },
                data: { raw: 'abc' }
            },
            ctx
        );
        expect(seen).toEqual({
            url: `${GMAIL}/messages/send?a=b+c&n=2`,
            auth: 'Bearer secret-token',
            type: 'application/json',
            custom: 'v',
            body: { raw: 'abc' }
        });
        expect(res).toMatchObject({ status: 200, data: { id: 'm1' }, headers: { 'x-answer': 'yes' } });
        expect(ctx.attempts).toEqual([200]);
    });

    it('interpolates Salesforce instance_url and honours baseUrlOverride', async () => {
        const urls: string[] = [];
        server.use(
            http.get('https://acme.my.salesforce.com/services/data/v60.0/query', ({ request }) => {
                urls.push(request.url);
                return HttpResponse.json({ records: [] });
            }),
            http.get('https://people.googleapis.com/v1/people/me/connections', ({ request }) => {
                urls.push(request.url);
                return HttpResponse.json({ connections: [] });
            })
        );
        await sendProxyRequest(
            { endpoint: '/services/data/v60.0/query', params: { q: 'SELECT Id FROM Lead' } },
            context({ provider: 'salesforce', connectionConfig: { instance_url: 'https://acme.my.salesforce.com' } })
        );
        await sendProxyRequest({ endpoint: '/v1/people/me/connections', baseUrlOverride: 'https://people.googleapis.com' }, context());
        expect(urls).toEqual([
            'https://acme.my.salesforce.com/services/data/v60.0/query?q=SELECT+Id+FROM+Lead',
            'https://people.googleapis.com/v1/people/me/connections'
        ]);
        await expect(sendProxyRequest({ endpoint: '/services/data/v60.0/query' }, context({ provider: 'salesforce' }))).rejects.toThrow(
            /instance_url/
        );
    });

    it('sends a string body as is, without inventing a content type, and decodes text and binary answers', async () => {
        let seen: { type: string | null; body: string } | undefined;
        server.use(
            http.post(`${GMAIL}/raw`, async ({ request }) => {
                seen = { type: request.headers.get('content-type'), body: await request.text() };
                return new HttpResponse('not json', { headers: { 'content-type': 'text/plain' } });
            }),
            http.get(`${GMAIL}/bytes`, () => new HttpResponse(new Uint8Array([1, 2, 255])))
        );
        const text = await sendProxyRequest({ endpoint: '/gmail/v1/users/me/raw', method: 'POST', data: 'line1\r\nline2' }, context());
        expect(seen).toEqual({ type: null, body: 'line1\r\nline2' });
        expect(text.data).toBe('not json');
        const bytes = await sendProxyRequest({ endpoint: '/gmail/v1/users/me/bytes', responseType: 'arraybuffer' }, context());
        expect([...(bytes.data as Buffer)]).toEqual([1, 2, 255]);
    });

    it('throws an axios-like error carrying the provider answer, and never puts the token in it', async () => {
        server.use(
            http.get(`${GMAIL}/threads/missing`, () =>
                HttpResponse.json(
                    { error: { code: 404, message: 'Requested entity was not found.', status: 'NOT_FOUND' } },
                    { status: 404 }
                )
            )
        );
        const err = await failure(sendProxyRequest({ endpoint: '/gmail/v1/users/me/threads/missing', retries: 3 }, context()));
        expect(err).toBeInstanceOf(Error);
        expect(err).toMatchObject({
            name: 'AxiosError',
            isAxiosError: true,
            code: 'ERR_BAD_REQUEST',
            status: 404,
            message: 'Request failed with status code 404',
            response: { status: 404, data: { error: { status: 'NOT_FOUND' } } }
        });
        expect(JSON.stringify(err.config)).not.toContain('secret-token');
    });
});

describe('proxy: retries as Nango server does them', () => {
    it('uses exponential backoff from 3 s, doubling, capped at 10 minutes', () => {
        expect([0, 1, 2, 3, 8, 20].map(backoffMs)).toEqual([3000, 6000, 12000, 24000, 600_000, 600_000]);
    });

    it('retries 503 and then succeeds, waiting 3 s then 6 s on the clock', async () => {
        const ctx = context();
        const times: number[] = [];
        server.use(sequence(`${GMAIL}/flaky`, [503, 503], ctx.clock, times));
        const start = ctx.clock.now();
        const res = await sendProxyRequest({ endpoint: '/gmail/v1/users/me/flaky', retries: 5 }, ctx);
        expect(res.data).toEqual({ ok: true });
        expect(times.map((t) => t - start)).toEqual([0, 3000, 9000]);
        expect(ctx.attempts).toEqual([503, 503, 200]);
        expect(ctx.logs[0]).toMatch(/Retrying HTTP call \(reason: status_code_503\)\. Waiting for 3000ms \[1\/5\]/);
    });

    it('retries 429 after the Retry-After the call names in retryHeader', async () => {
        const ctx = context();
        const times: number[] = [];
        server.use(sequence(`${GMAIL}/limited`, [{ status: 429, headers: { 'Retry-After': '42' } }], ctx.clock, times));
        const start = ctx.clock.now();
        await sendProxyRequest({ endpoint: '/gmail/v1/users/me/limited', retries: 2, retryHeader: { after: 'Retry-After' } }, ctx);
        expect(times.map((t) => t - start)).toEqual([0, 42_000]);
    });

    it('ignores Retry-After unless the call or the provider names the header, as Nango does', async () => {
        const ctx = context();
        const times: number[] = [];
        server.use(sequence(`${GMAIL}/limited`, [{ status: 429, headers: { 'Retry-After': '42' } }], ctx.clock, times));
        const start = ctx.clock.now();
        await sendProxyRequest({ endpoint: '/gmail/v1/users/me/limited', retries: 2 }, ctx);
        expect(times.map((t) => t - start)).toEqual([0, 3000]);
    });

    it('waits until the moment a retryHeader "at" names', async () => {
        const ctx = context();
        const times: number[] = [];
        const resetAt = Math.floor(ctx.clock.now() / 1000) + 90;
        server.use(sequence(`${GMAIL}/limited`, [{ status: 429, headers: { 'x-reset': String(resetAt) } }], ctx.clock, times));
        const start = ctx.clock.now();
        await sendProxyRequest({ endpoint: '/gmail/v1/users/me/limited', retries: 1, retryHeader: { at: 'x-reset' } }, ctx);
        expect(times.map((t) => t - start)).toEqual([0, 90_000]);
    });

    it('retries a network error', async () => {
        const ctx = context();
        server.use(sequence(`${GMAIL}/net`, ['network'], ctx.clock));
        const res = await sendProxyRequest({ endpoint: '/gmail/v1/users/me/net', retries: 1 }, ctx);
        expect(res.status).toBe(200);
        expect(ctx.attempts).toEqual([null, 200]);
        expect(ctx.logs[0]).toMatch(/reason: network_error/);
    });

    it('does not retry when retries is 0 (the default)', async () => {
        const ctx = context();
        server.use(sequence(`${GMAIL}/flaky`, [503], ctx.clock));
        const err = await failure(sendProxyRequest({ endpoint: '/gmail/v1/users/me/flaky' }, ctx));
        expect(err.status).toBe(503);
        expect(err.code).toBe('ERR_BAD_RESPONSE');
        expect(ctx.attempts).toEqual([503]);
        expect(ctx.clock.now()).toBe(new VirtualClock().now());
    });

    it('gives up after `retries` retries and throws the last answer', async () => {
        const ctx = context();
        server.use(sequence(`${GMAIL}/down`, [500, 502, 503, 504], ctx.clock));
        const start = ctx.clock.now();
        const err = await failure(sendProxyRequest({ endpoint: '/gmail/v1/users/me/down', retries: 3 }, ctx));
        expect(ctx.attempts).toEqual([500, 502, 503, 504]);
        expect(err.status).toBe(504);
        expect(ctx.clock.now() - start).toBe(3000 + 6000 + 12000);
    });

    it('does not retry a 400 or a 404, but does when the call lists the status in retryOn', async () => {
        const ctx = context();
        server.use(sequence(`${GMAIL}/bad`, [400], ctx.clock));
        await failure(sendProxyRequest({ endpoint: '/gmail/v1/users/me/bad', retries: 3 }, ctx));
        expect(ctx.attempts).toEqual([400]);
        expect(ctx.logs.at(-1)).toMatch(/Skipping retry HTTP call \(reason: not_retryable\)/);

        const ctx2 = context();
        server.use(sequence(`${GMAIL}/eventually`, [404], ctx2.clock));
        await sendProxyRequest({ endpoint: '/gmail/v1/users/me/eventually', retries: 1, retryOn: [404] }, ctx2);
        expect(ctx2.attempts).toEqual([404, 200]);
    });

    it('retries a 401 once only, since local credentials never refresh', async () => {
        const ctx = context();
        server.use(sequence(`${GMAIL}/auth`, [401, 401, 401], ctx.clock));
        const err = await failure(sendProxyRequest({ endpoint: '/gmail/v1/users/me/auth', retries: 5 }, ctx));
        expect(err.status).toBe(401);
        expect(ctx.attempts).toEqual([401, 401]);
        expect(ctx.logs.at(-1)).toMatch(/invalid_credentials/);
    });

    it("uses the provider's retry codes: Google Calendar retries 403, Gmail does not", async () => {
        const calendar = context({ provider: 'google-calendar' });
        server.use(sequence(`${CALENDAR}/users/me/calendarList`, [403], calendar.clock));
        await sendProxyRequest({ endpoint: '/calendar/v3/users/me/calendarList', retries: 2 }, calendar);
        expect(calendar.attempts).toEqual([403, 200]);
        expect(calendar.logs[0]).toMatch(/provider_error_code_403/);

        const gmail = context();
        server.use(sequence(`${GMAIL}/forbidden`, [403], gmail.clock));
        await failure(sendProxyRequest({ endpoint: '/gmail/v1/users/me/forbidden', retries: 2 }, gmail));
        expect(gmail.attempts).toEqual([403]);
    });

    it('waits on the virtual clock, not in real time', async () => {
        const ctx = context();
        server.use(sequence(`${GMAIL}/down`, [503, 503, 503, 503, 503], ctx.clock));
        const realStart = performance.now();
        const start = ctx.clock.now();
        await sendProxyRequest({ endpoint: '/gmail/v1/users/me/down', retries: 5 }, ctx);
        const virtualMs = ctx.clock.now() - start;
        expect(virtualMs).toBe(3000 + 6000 + 12000 + 24000 + 48000);
        expect(performance.now() - realStart).toBeLessThan(virtualMs / 10);
    });
});
