import { http, passthrough } from 'msw';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startLocalNango, type LocalNango } from '../../local-nango/server.js';
import { VirtualClock } from '../../runtime/clock.js';
import { LOCAL_ENVIRONMENT_UUID, webhookUrl } from '../../runtime/index.js';
import { RecordsStore } from '../../runtime/records-store.js';
import { googlePushAuthorization } from '../../simulators/common/push.js';
import { server } from '../support/msw.js';

// Nango's public webhook URL on the local API: what a provider's push gets back.

let api: LocalNango;
let store: RecordsStore;
const clock = new VirtualClock(Date.UTC(2026, 0, 15, 12));

beforeAll(async () => {
    store = new RecordsStore(':memory:');
    api = await startLocalNango({ store, clock });
    store.setMetadata({ integration: 'google-mail', connectionId: 'local' }, { emailAddress: 'ada@example.com' });
});

beforeEach(() => {
    server.use(http.all(`${api.url}/*`, () => passthrough()));
});

afterAll(async () => {
    await api.close();
    store.close();
});

function post(path: string, body: string, headers: Record<string, string> = {}) {
    return fetch(`${api.url}${path}`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
}

const gmailBody = (emailAddress: string) =>
    JSON.stringify({
        message: { data: Buffer.from(JSON.stringify({ emailAddress, historyId: '7' })).toString('base64') },
        subscription: 's'
    });

describe('POST /webhook/<environment>/<integration>', () => {
    it('needs no secret key and answers a routed Gmail push 200 { status: success }', async () => {
        const res = await post(`/webhook/${LOCAL_ENVIRONMENT_UUID}/google-mail`, gmailBody('ada@example.com'));
        expect(res.status).toBe(200);
        expect(await res.json()).toEqual({ status: 'success' });
        await api.idle();
    });

    it('refuses a Gmail push whose token Google did not sign, 401 as Nango', async () => {
        const signed = googlePushAuthorization({ aud: webhookUrl('google-mail'), iat: clock.now() / 1000 });
        const ok = await post(`/webhook/${LOCAL_ENVIRONMENT_UUID}/google-mail`, gmailBody('ada@example.com'), { authorization: signed });
        expect(ok.status).toBe(200);
        const forged = `${signed.slice(0, -8)}AAAAAAAA`;
        const res = await post(`/webhook/${LOCAL_ENVIRONMENT_UUID}/google-mail`, gmailBody('ada@example.com'), { authorization: forged });
        expect(res.status).toBe(401);
        expect(await res.json()).toEqual({ error: 'Invalid webhook signature' });
    });

    it('answers an unknown environment 404, a malformed one 400, an unknown integration 404', async () => {
        const unknownEnv = await post('/webhook/11111111-2222-4333-8444-555555555555/google-mail', gmailBody('ada@example.com'));
        expect(unknownEnv.status).toBe(404);
        expect(await unknownEnv.json()).toEqual({ error: { code: 'unknown_environment' } });
        const malformed = await post('/webhook/not-a-uuid/google-mail', gmailBody('ada@example.com'));
        expect(malformed.status).toBe(400);
        const unknown = await post(`/webhook/${LOCAL_ENVIRONMENT_UUID}/github`, '{}');
        expect(unknown.status).toBe(404);
        expect(await unknown.json()).toEqual({ error: { code: 'unknown_provider_config' } });
    });

    it('routes a Calendar notification from its headers, the body being empty', async () => {
        const res = await fetch(`${api.url}/webhook/${LOCAL_ENVIRONMENT_UUID}/google-calendar`, {
            method: 'POST',
            headers: {
                'X-Goog-Resource-URI': 'https://www.googleapis.com/calendar/v3/calendars/ada%40example.com/events',
                'X-Goog-Resource-State': 'sync',
                'X-Goog-Channel-ID': 'c1'
            }
        });
        expect(res.status).toBe(200);
        expect(await res.json()).toEqual({ status: 'success' });
    });
});
