/**
 * The webhook receiver: refuses to start without a signing key, accepts only bodies signed with the HMAC Nango sends
 * (agreeing with @nangohq/node's verifyIncomingWebhookRequest), parses every webhook type Nango sends, acknowledges
 * unknown ones, and answers before doing the work.
 */
import { createHash, createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Nango } from '@nangohq/node';
import { http as mswHttp, passthrough } from 'msw';
import { describe, expect, it } from 'vitest';
import { createWebhookReceiver, nodeWebhookListener, type NangoWebhook } from '../../backend/src/index.js';
import { server } from '../support/msw.js';

const KEY = 'whsk_3f9a1c7e2b';

/** What Nango signs: the exact bytes it sends (NangoHQ/nango packages/webhooks/lib/utils.ts). */
function signed(body: unknown, key = KEY): { raw: string; headers: Record<string, string> } {
    const raw = JSON.stringify(body);
    return {
        raw,
        headers: { 'content-type': 'application/json', 'X-Nango-Hmac-Sha256': createHmac('sha256', key).update(raw).digest('hex') }
    };
}

const syncSuccess = {
    from: 'nango',
    type: 'sync',
    connectionId: 'acme',
    providerConfigKey: 'salesforce',
    syncName: 'salesforce-leads',
    syncVariant: 'base',
    model: 'SalesforceLead',
    syncType: 'INCREMENTAL',
    success: true,
    modifiedAfter: '2026-12-01T07:00:00.000Z',
    responseResults: { added: 2, updated: 1 },
    queryTimeStamp: '2026-12-01T07:00:00.000Z'
};
const syncFailure = {
    ...syncSuccess,
    success: false,
    error: { type: 'script_http_error', description: 'Salesforce answered 401' },
    startedAt: '2026-12-01T07:00:00.000Z',
    failedAt: '2026-12-01T07:00:05.000Z'
};
const auth = {
    from: 'nango',
    type: 'auth',
    connectionId: 'acme',
    authMode: 'OAUTH2',
    providerConfigKey: 'salesforce',
    provider: 'salesforce',
    environment: 'dev',
    operation: 'creation',
    success: true,
    endUser: { endUserId: 'u1', tags: {} }
};
const refreshFailure = {
    ...auth,
    operation: 'refresh',
    success: false,
    error: { type: 'refresh_token_external_error', description: 'invalid_grant' }
};
const override = { ...auth, operation: 'override' };

function collecting() {
    const seen: NangoWebhook[] = [];
    const receiver = createWebhookReceiver({
        signingKey: KEY,
        onWebhook: async (webhook) => {
            seen.push(webhook);
            await Promise.resolve();
        }
    });
    return { seen, receiver };
}

describe('webhook receiver', () => {
    it('refuses to start without a signing key', () => {
        for (const signingKey of [undefined, '']) {
            expect(() => createWebhookReceiver({ signingKey, onWebhook: async () => {} })).toThrow(/signing key/);
        }
    });

    it('parses sync success and failure, auth creation, refresh failure and override', async () => {
        const { seen, receiver } = collecting();
        for (const body of [syncSuccess, syncFailure, auth, refreshFailure, override]) {
            const { raw, headers } = signed(body);
            expect(receiver.handle(raw, headers)).toEqual({ status: 200, body: { received: true } });
        }
        await receiver.idle();
        expect(
            seen.map((w) => [
                w.type,
                w.type === 'auth' ? w.operation : w.type === 'sync' ? w.syncType : '',
                'success' in w ? w.success : ''
            ])
        ).toEqual([
            ['sync', 'INCREMENTAL', true],
            ['sync', 'INCREMENTAL', false],
            ['auth', 'creation', true],
            ['auth', 'refresh', false],
            ['auth', 'override', true]
        ]);
        const failure = seen[1];
        expect(failure?.type === 'sync' && !failure.success ? failure.error.type : undefined).toBe('script_http_error');
    });

    it('acknowledges a type it does not know, and refuses a known type it cannot read', async () => {
        const { seen, receiver } = collecting();
        const unknown = signed({ from: 'nango', type: 'billing', something: 1 });
        expect(receiver.handle(unknown.raw, unknown.headers)).toEqual({ status: 200, body: { received: true, ignored: true } });
        const broken = signed({ ...syncSuccess, model: undefined });
        expect(receiver.handle(broken.raw, broken.headers).status).toBe(400);
        await receiver.idle();
        expect(seen).toEqual([]);
    });

    it('refuses forged, missing, legacy-only and other-key signatures, as the official client does', async () => {
        const { seen, receiver } = collecting();
        const client = new Nango({ secretKey: '6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b', webhookSigningKey: KEY });
        const good = signed(syncSuccess);
        const cases: [string, string, Record<string, string>][] = [
            ['body changed after signing', good.raw.replace('acme', 'evil'), good.headers],
            ['no signature', good.raw, { 'content-type': 'application/json' }],
            ['signed with another key', good.raw, signed(syncSuccess, 'another-key').headers],
            ['truncated signature', good.raw, { 'X-Nango-Hmac-Sha256': good.headers['X-Nango-Hmac-Sha256']!.slice(0, 40) }],
            [
                'legacy X-Nango-Signature only',
                good.raw,
                { 'X-Nango-Signature': createHash('sha256').update(`${KEY}${good.raw}`).digest('hex') }
            ]
        ];
        for (const [label, raw, headers] of cases) {
            expect(receiver.handle(raw, headers), label).toEqual({ status: 401, body: { error: 'invalid_signature' } });
            expect(client.verifyIncomingWebhookRequest(raw, headers), label).toBe(false);
        }
        expect(client.verifyIncomingWebhookRequest(good.raw, good.headers)).toBe(true);
        await receiver.idle();
        expect(seen).toEqual([]);
    });

    it('answers before the work runs (Nango gives up after 20 s and retries)', async () => {
        let release!: () => void;
        const gate = new Promise<void>((resolve) => (release = resolve));
        const done: string[] = [];
        const receiver = createWebhookReceiver({
            signingKey: KEY,
            onWebhook: async (webhook) => {
                await gate;
                done.push(webhook.type);
            }
        });
        const { raw, headers } = signed(syncSuccess);
        expect(receiver.handle(raw, headers).status).toBe(200);
        expect(done).toEqual([]);
        release();
        await receiver.idle();
        expect(done).toEqual(['sync']);
    });

    it('reports a failing piece of work to onError, not to Nango', async () => {
        const errors: string[] = [];
        const receiver = createWebhookReceiver({
            signingKey: KEY,
            onWebhook: () => Promise.reject(new Error('database down')),
            onError: (error) => errors.push(String(error))
        });
        const { raw, headers } = signed(auth);
        expect(receiver.handle(raw, headers).status).toBe(200);
        await receiver.idle();
        expect(errors).toEqual(['Error: database down']);
    });
});

describe('node http adapter', () => {
    it('serves the receiver on 127.0.0.1 with the raw body', async () => {
        const { seen, receiver } = collecting();
        const listener = http.createServer(nodeWebhookListener(receiver));
        await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
        const url = `http://127.0.0.1:${(listener.address() as AddressInfo).port}/webhooks/nango`;
        server.use(mswHttp.all(`${url}*`, () => passthrough()));
        try {
            // Spaces and key order matter: the signature covers the bytes, not the JSON value.
            const raw =
                '{ "type": "auth",  "from": "nango", "connectionId": "acme", "authMode": "OAUTH2", "providerConfigKey": "salesforce", "provider": "salesforce", "environment": "dev", "operation": "creation", "success": true }';
            const signature = createHmac('sha256', KEY).update(raw).digest('hex');
            const ok = await fetch(url, { method: 'POST', body: raw, headers: { 'X-Nango-Hmac-Sha256': signature } });
            expect([ok.status, await ok.json()]).toEqual([200, { received: true }]);
            const forged = await fetch(url, {
                method: 'POST',
                body: raw.replace('acme', 'evil'),
                headers: { 'X-Nango-Hmac-Sha256': signature }
            });
            expect(forged.status).toBe(401);
            const get = await fetch(url);
            expect(get.status).toBe(405);
            await receiver.idle();
            expect(seen.map((w) => w.connectionId)).toEqual(['acme']);
        } finally {
            await new Promise((resolve) => listener.close(resolve));
        }
    });
});
