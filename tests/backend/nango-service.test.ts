/**
 * NangoService over the real @nangohq/node client, against the stand-in of Nango's API (support/nango-api.ts):
 * typed and validated records, actions run by the real scripts, Nango's refusals surfaced as typed errors.
 */
import { describe, expect, it } from 'vitest';
import {
    ActionError,
    NangoApiError,
    NangoService,
    parseIntegrationKeys,
    RecordValidationError,
    type ModelName
} from '../../backend/src/index.js';
import { GmailSimulator } from '../../simulators/gmail/index.js';
import { server } from '../support/msw.js';
import { NANGO_HOST, NangoStandIn } from './support/nango-api.js';

const SECRET = '6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b';
const GMAIL_KEY = 'google-mail-ynxw';

function lead(id: string, lastName: string) {
    return {
        id,
        firstName: null,
        lastName,
        company: 'Acme',
        title: null,
        email: null,
        phone: null,
        status: 'Open',
        leadSource: null,
        ownerId: null,
        isConverted: false,
        convertedAccountId: null,
        convertedContactId: null,
        convertedOpportunityId: null,
        createdDate: null,
        lastModifiedDate: null,
        systemModstamp: '2026-11-30T10:00:00.000Z'
    };
}

function world(secretKey = SECRET) {
    const nango = new NangoStandIn({ secretKey: SECRET, integrations: { [GMAIL_KEY]: 'google-mail', salesforce: 'salesforce' } });
    nango.addConnection('salesforce', 'acme');
    nango.addConnection(GMAIL_KEY, 'me');
    server.use(...nango.handlers);
    const service = new NangoService({ secretKey, host: NANGO_HOST, integrationKeys: { 'google-mail': GMAIL_KEY } });
    return { nango, service };
}

describe('NangoService.listRecords', () => {
    it('pages a model by next_cursor, oldest change first, with _nango_metadata', async () => {
        const { nango, service } = world();
        nango.save('salesforce', 'acme', 'SalesforceLead', [lead('L1', 'One'), lead('L2', 'Two'), lead('L3', 'Three')]);
        nango.save('salesforce', 'acme', 'SalesforceLead', [lead('L2', 'Two bis')]);
        nango.delete('salesforce', 'acme', 'SalesforceLead', ['L3']);

        const first = await service.listRecords('SalesforceLead', { connectionId: 'acme', limit: 2 });
        expect(first.records).toHaveLength(2);
        expect(first.next_cursor).not.toBeNull();
        const second = await service.listRecords('SalesforceLead', {
            connectionId: 'acme',
            limit: 2,
            cursor: first.next_cursor ?? undefined
        });
        expect(second.next_cursor).toBeNull();
        const seen = [...first.records, ...second.records].map((r) => [r.id, r._nango_metadata.last_action]);
        expect(seen).toEqual([
            ['L1', 'ADDED'],
            ['L2', 'UPDATED'],
            ['L3', 'DELETED']
        ]);
        const l2 = second.records.find((r) => r.id === 'L2') ?? first.records.find((r) => r.id === 'L2');
        expect(l2 && 'lastName' in l2 ? l2.lastName : undefined).toBe('Two bis');
    });

    it('maps the folder name to the environment key (google-mail -> google-mail-ynxw)', async () => {
        const { service } = world();
        const page = await service.listRecords('GmailThread', { connectionId: 'me' });
        expect(page).toEqual({ records: [], next_cursor: null });
        const unmapped = new NangoService({ secretKey: SECRET, host: NANGO_HOST });
        await expect(unmapped.listRecords('GmailThread', { connectionId: 'me' })).rejects.toMatchObject({
            status: 400,
            code: 'unknown_connection'
        });
    });

    it('refuses a record that does not match its model (validation on by default)', async () => {
        const { nango, service } = world();
        nango.save('salesforce', 'acme', 'SalesforceLead', [{ ...lead('L1', 'One'), systemModstamp: null }]);
        await expect(service.listRecords('SalesforceLead', { connectionId: 'acme' })).rejects.toBeInstanceOf(RecordValidationError);
        const raw = await service.listRecords('SalesforceLead', { connectionId: 'acme', validate: false });
        expect(raw.records).toHaveLength(1);
    });

    it("surfaces Nango's refusals: bad key (401, Nango's shape), bad cursor, bad limit", async () => {
        const { service } = world();
        const wrongKey = new NangoService({ secretKey: '0b7a3c9e-1d2f-4a5b-9c6d-7e8f9a0b1c2d', host: NANGO_HOST });
        const error = await wrongKey.listRecords('SalesforceLead', { connectionId: 'acme' }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(NangoApiError);
        expect(error).toMatchObject({
            status: 401,
            code: 'unknown_account',
            body: {
                error: {
                    code: 'unknown_account',
                    message: 'Authentication failed. The provided authorization header does not match any account.'
                }
            }
        });
        const notUuid = new NangoService({ secretKey: 'sk-123', host: NANGO_HOST });
        await expect(notUuid.listRecords('SalesforceLead', { connectionId: 'acme' })).rejects.toMatchObject({
            status: 401,
            code: 'invalid_secret_key_format'
        });
        await expect(service.listRecords('SalesforceLead', { connectionId: 'acme', cursor: 'bm90IGEgY3Vyc29y' })).rejects.toMatchObject({
            status: 500,
            code: 'server_error'
        });
        await expect(service.listRecords('SalesforceLead', { connectionId: 'acme', limit: 20_000 })).rejects.toMatchObject({
            status: 400,
            code: 'invalid_query_params'
        });
    });

    it('refuses a model no sync saves before asking Nango (which would answer an empty page)', async () => {
        const { nango, service } = world();
        await expect(service.listRecords('GmailThreads' as ModelName, { connectionId: 'me' })).rejects.toThrow(/not a model/);
        expect(nango.requests).toEqual([]);
    });
});

describe("the stand-in answers the raw client as Nango's server does", () => {
    it('refuses a malformed model name or a modified_after older than 12 months, and answers an empty page for an unknown model', async () => {
        const { service } = world();
        const ask = (model: string, extra: Record<string, unknown> = {}) =>
            service.client.listRecords({ providerConfigKey: 'salesforce', connectionId: 'acme', model, ...extra });
        await expect(ask('salesforceLead')).rejects.toMatchObject({
            response: { status: 400, data: { error: { code: 'invalid_query_params' } } }
        });
        await expect(ask('SalesforceLead', { modifiedAfter: '2020-01-01T00:00:00.000Z' })).rejects.toMatchObject({
            response: { status: 400, data: { error: { code: 'invalid_query_params' } } }
        });
        // getRecords only checks the name's shape; the records table is keyed by the model string.
        expect(await ask('NoSuchModel')).toEqual({ records: [], next_cursor: null });
        const missingKey = await fetch(`${NANGO_HOST}/records?model=SalesforceLead`);
        expect([missingKey.status, await missingKey.json()]).toEqual([
            401,
            {
                error: {
                    message: 'Authentication failed. The request is missing the Authorization header.',
                    code: 'missing_auth_header',
                    payload: {}
                }
            }
        ]);
    });
});

describe('NangoService.triggerAction', () => {
    it('runs send-email (the real script, on the Gmail simulator) and answers its typed output', async () => {
        const { nango, service } = world();
        const gmail = new GmailSimulator({ clock: nango.clock, seed: 3, threads: 2 });
        server.use(...gmail.handlers);
        const sent = await service.triggerAction('google-mail', 'send-email', 'me', {
            to: [{ email: 'ana@example.org' }],
            subject: 'Hello',
            text: 'Hi Ana'
        });
        expect(sent.id).toMatch(/\S/);
        expect(sent.labelIds).toContain('SENT');
        expect(sent.messageId).toMatch(/^<.+@.+>$/);
    });

    it("turns the script's ActionError into a typed ActionError with its payload", async () => {
        const { nango, service } = world();
        server.use(...new GmailSimulator({ clock: nango.clock, seed: 3, threads: 2 }).handlers);
        const error = await service
            .triggerAction('google-mail', 'send-email', 'me', { to: [], subject: 's', text: 't' })
            .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ActionError);
        expect(error).toMatchObject({
            integration: 'google-mail',
            action: 'send-email',
            code: 'action_script_runtime_error',
            payload: { type: 'invalid_input', field: 'to' }
        });
    });

    it('surfaces an unknown connection as a NangoApiError, not an ActionError', async () => {
        const { service } = world();
        await expect(
            service.triggerAction('salesforce', 'create-lead', 'nobody', { LastName: 'Doe', Company: 'Acme' })
        ).rejects.toMatchObject({
            name: 'NangoApiError',
            status: 400,
            code: 'unknown_connection'
        });
    });
});

describe('NangoService.proxy', () => {
    it("reaches the provider through Nango's proxy with the connection's credentials", async () => {
        const { nango, service } = world();
        server.use(...new GmailSimulator({ clock: nango.clock, seed: 3, threads: 2 }).handlers);
        const answer = await service.proxy<{ labels: { id: string }[] }>('google-mail', 'me', {
            method: 'GET',
            endpoint: '/gmail/v1/users/me/labels',
            retries: 2
        });
        expect(answer.status).toBe(200);
        expect(answer.data.labels.map((l) => l.id)).toContain('INBOX');
        await expect(
            service.proxy('google-mail', 'nobody', { method: 'GET', endpoint: '/gmail/v1/users/me/labels' })
        ).rejects.toMatchObject({
            status: 404,
            name: 'NangoApiError'
        });
    });
});

describe('NangoService connections', () => {
    it('sets metadata checked by the syncs that read it, and reads the connection back', async () => {
        const { nango, service } = world();
        await service.setMetadata('google-mail', 'me', { backfillDays: 30 });
        expect(nango.metadataOf(GMAIL_KEY, 'me')).toEqual({ backfillDays: 30 });
        await expect(service.setMetadata('google-mail', 'me', { backfillDays: -1 })).rejects.toThrow(/backfillDays/);
        expect(nango.metadataOf(GMAIL_KEY, 'me')).toEqual({ backfillDays: 30 });
        const connection = await service.getConnection('google-mail', 'me');
        expect(connection).toMatchObject({ connection_id: 'me', provider_config_key: GMAIL_KEY, metadata: { backfillDays: 30 } });
    });
});

describe('integration ids by configuration', () => {
    it('reads NANGO_INTEGRATION_KEYS and refuses folder names this repository does not have', async () => {
        expect(parseIntegrationKeys('google-mail=google-mail-ynxw, salesforce=sf-prod')).toEqual({
            'google-mail': 'google-mail-ynxw',
            salesforce: 'sf-prod'
        });
        expect(parseIntegrationKeys(undefined)).toEqual({});
        expect(() => parseIntegrationKeys('gmail=google-mail-ynxw')).toThrow(/gmail is not an integration/);
        expect(() => parseIntegrationKeys('google-mail')).toThrow(/expected <folder>=<integration id>/);
        expect(() => NangoService.fromEnv({})).toThrow(/NANGO_SECRET_KEY/);

        world();
        const service = NangoService.fromEnv({
            NANGO_SECRET_KEY: SECRET,
            NANGO_HOST: NANGO_HOST,
            NANGO_INTEGRATION_KEYS: `google-mail=${GMAIL_KEY}`
        });
        expect(service.keyOf('google-mail')).toBe(GMAIL_KEY);
        expect(service.integrationOf(GMAIL_KEY)).toBe('google-mail');
        expect(await service.listRecords('GmailThread', { connectionId: 'me' })).toEqual({ records: [], next_cursor: null });
    });
});
