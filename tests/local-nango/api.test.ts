import { Nango } from '@nangohq/node';
import { AxiosError } from 'axios';
import { http, passthrough } from 'msw';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startLocalNango, type LocalNango } from '../../local-nango/server.js';
import { VirtualClock } from '../../runtime/clock.js';
import { RecordsStore } from '../../runtime/records-store.js';
import type { GmailSimulator } from '../../simulators/gmail/index.js';
import { SIMULATED_SALESFORCE_INSTANCE } from '../../runner/simulators.js';
import { server } from '../support/msw.js';

// The real @nangohq/node client against the local Nango API on an ephemeral loopback port.

let api: LocalNango;
let store: RecordsStore;
let nango: Nango;

beforeAll(async () => {
    store = new RecordsStore(':memory:');
    api = await startLocalNango({ store, clock: new VirtualClock(Date.now()) });
    nango = new Nango({ secretKey: api.secretKey, host: api.url });
});

beforeEach(() => {
    // The test's msw guard refuses every request it has no handler for; the API on loopback is the one let through.
    server.use(http.all(`${api.url}/*`, () => passthrough()));
});

afterAll(async () => {
    await api.close();
    store.close();
});

/** The status and body of the Nango error the client threw. */
async function refusal(call: Promise<unknown>): Promise<{ status: number | undefined; data: unknown }> {
    const err = await call.then(
        () => undefined,
        (e: unknown) => e
    );
    if (!(err instanceof AxiosError)) throw new Error(`expected an HTTP error, got ${String(err)}`);
    return { status: err.response?.status, data: err.response?.data };
}

describe('secret key', () => {
    it('refuses a key that is not the one printed at start, with Nango’s 401 unknown_account', async () => {
        const other = new Nango({ secretKey: '11111111-2222-4333-8444-555555555555', host: api.url });
        const { status, data } = await refusal(other.getConnection('google-mail', 'local'));
        expect(status).toBe(401);
        expect(data).toEqual({
            error: {
                code: 'unknown_account',
                message: 'Authentication failed. The provided authorization header does not match any account.'
            }
        });
    });

    it('refuses a key that is not a UUID v4 before any lookup (invalid_secret_key_format)', async () => {
        const bad = new Nango({ secretKey: 'not-a-key', host: api.url });
        const { status, data } = await refusal(
            bad.listRecords({ providerConfigKey: 'google-mail', connectionId: 'local', model: 'GmailThread' })
        );
        expect(status).toBe(401);
        expect((data as { error: { code: string } }).error.code).toBe('invalid_secret_key_format');
    });

    it('refuses a request without Authorization (missing_auth_header)', async () => {
        const res = await fetch(`${api.url}/connections/local?provider_config_key=google-mail`);
        expect(res.status).toBe(401);
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe('missing_auth_header');
    });

    it('refuses to listen beyond loopback', async () => {
        await expect(startLocalNango({ store, host: '0.0.0.0' })).rejects.toThrow(/loopback only/);
    });
});

describe('routes', () => {
    it('answers an unknown route with Nango’s 404 not_found', async () => {
        const res = await fetch(`${api.url}/no/such/route`, { headers: { authorization: `Bearer ${api.secretKey}` } });
        expect(res.status).toBe(404);
        expect(await res.json()).toEqual({ error: { code: 'not_found', message: 'endpoint not found' } });
    });
});

describe('connections and integrations', () => {
    it('getConnection returns the connection with its config and credentials', async () => {
        const connection = await nango.getConnection('salesforce', 'local');
        expect(connection).toMatchObject({
            connection_id: 'local',
            provider_config_key: 'salesforce',
            provider: 'salesforce',
            connection_config: { instance_url: SIMULATED_SALESFORCE_INSTANCE },
            credentials: { type: 'OAUTH2' }
        });
        expect(typeof (connection as { id: unknown }).id).toBe('number');
    });

    it('answers an unknown connection 404 not_found and an unknown integration 400 unknown_provider_config', async () => {
        expect(await refusal(nango.getConnection('google-mail', 'nobody'))).toEqual({
            status: 404,
            data: { error: { code: 'not_found', message: 'Failed to find connection' } }
        });
        expect((await refusal(nango.getConnection('github', 'local'))).status).toBe(400);
    });

    it('listConnections finds a connection id in every integration (the CLI infers --integration-id from it)', async () => {
        const { connections } = await nango.listConnections({ connectionId: 'local' });
        expect(connections.map((c) => c.provider_config_key).sort()).toEqual(['google-calendar', 'google-mail', 'salesforce']);
        expect((await nango.listConnections({ connectionId: 'local', integrationId: 'salesforce' })).connections).toHaveLength(1);
        expect((await nango.listConnections({ connectionId: 'nobody' })).connections).toEqual([]);
    });

    it('the CLI’s deprecated GET /connection/:id answers the same', async () => {
        const res = await fetch(`${api.url}/connection/local?provider_config_key=google-mail`, {
            headers: { authorization: `Bearer ${api.secretKey}` }
        });
        expect(res.status).toBe(200);
        expect(await res.json()).toMatchObject({ connection_id: 'local', provider_config_key: 'google-mail' });
    });

    it('getIntegration returns { data } with the unique key and provider', async () => {
        const { data } = await nango.getIntegration({ uniqueKey: 'google-calendar' });
        expect(data).toMatchObject({ unique_key: 'google-calendar', provider: 'google-calendar' });
        expect((await refusal(nango.getIntegration({ uniqueKey: 'github' }))).status).toBe(404);
    });

    it('setMetadata replaces, updateMetadata merges, getMetadata reads them back', async () => {
        const set = await nango.setMetadata('google-mail', 'local', { backfillDays: 30, note: 'a' });
        expect(set.status).toBe(201);
        await nango.updateMetadata('google-mail', 'local', { note: 'b' });
        expect(await nango.getMetadata('google-mail', 'local')).toEqual({ backfillDays: 30, note: 'b' });
        await nango.setMetadata('google-mail', 'local', { backfillDays: 7 });
        expect(await nango.getMetadata('google-mail', 'local')).toEqual({ backfillDays: 7 });
        expect(store.getMetadata({ integration: 'google-mail', connectionId: 'local' })).toEqual({ backfillDays: 7 });
    });

    it('setMetadata on an unknown connection changes nothing and answers 404 unknown_connection', async () => {
        const { status, data } = await refusal(nango.setMetadata('google-mail', ['local', 'nobody'], { backfillDays: 1 }));
        expect(status).toBe(404);
        expect((data as { error: { code: string } }).error.code).toBe('unknown_connection');
        expect(store.getMetadata({ integration: 'google-mail', connectionId: 'local' })).toEqual({ backfillDays: 7 });
    });
});

describe('proxy', () => {
    it('forwards to the connection’s simulated provider with its token', async () => {
        const res = await nango.get<{ emailAddress: string; historyId: string }>({
            providerConfigKey: 'google-mail',
            connectionId: 'local',
            endpoint: '/gmail/v1/users/me/profile',
            retries: 0
        });
        expect(res.status).toBe(200);
        expect(res.data.emailAddress).toMatch(/@/);
        expect(res.headers['content-type']).toMatch(/application\/json/);
    });

    it('retries as the Retries header says, with Nango’s rules (a 500, then success)', async () => {
        const gmail = () => api.registry.simulators(api.registry.integrations()[0]!, 'local', ['gmail']).get('gmail') as GmailSimulator;
        const profile = { providerConfigKey: 'google-mail', connectionId: 'local', endpoint: '/gmail/v1/users/me/profile' };
        gmail().core.faults.inject('getProfile', { kind: 'status', status: 500 });
        expect((await refusal(nango.get({ ...profile, retries: 0 }))).status).toBe(500);
        gmail().core.faults.inject('getProfile', { kind: 'status', status: 500 });
        expect((await nango.get({ ...profile, retries: 1 })).status).toBe(200);
    });

    it('honours Base-Url-Override (People through the google-mail connection)', async () => {
        const res = await nango.get<{ connections?: unknown[] }>({
            providerConfigKey: 'google-mail',
            connectionId: 'local',
            baseUrlOverride: 'https://people.googleapis.com',
            endpoint: '/v1/people/me/connections',
            params: { personFields: 'names', pageSize: '10' },
            retries: 0
        });
        expect(res.status).toBe(200);
        expect(res.data.connections).toHaveLength(10);
    });

    it('passes the provider’s error status and body back', async () => {
        const { status, data } = await refusal(
            nango.get({
                providerConfigKey: 'google-mail',
                connectionId: 'local',
                endpoint: '/gmail/v1/users/me/threads/0000000000000000',
                retries: 0
            })
        );
        expect(status).toBe(404);
        expect(data).toMatchObject({ error: { code: 404 } });
    });

    it('sends Nango-Proxy-* headers on without the prefix', async () => {
        // The simulator refuses a request whose Authorization is not the connection's token: a forwarded
        // Authorization header replaces the one Nango adds, so the provider answers 401.
        const { status } = await refusal(
            nango.get({
                providerConfigKey: 'google-mail',
                connectionId: 'local',
                endpoint: '/gmail/v1/users/me/profile',
                headers: { authorization: 'Bearer someone-else' },
                retries: 0
            })
        );
        expect(status).toBe(401);
    });

    it('refuses an unknown connection (400) and an unknown integration (404) as Nango does', async () => {
        expect(
            (await refusal(nango.get({ providerConfigKey: 'google-mail', connectionId: 'nobody', endpoint: '/x', retries: 0 }))).status
        ).toBe(400);
        expect(
            (await refusal(nango.get({ providerConfigKey: 'github', connectionId: 'local', endpoint: '/x', retries: 0 }))).data
        ).toMatchObject({
            error: { code: 'unknown_provider_config' }
        });
    });
});

describe('actions', () => {
    it('triggerAction runs the action through the runtime against the simulator', async () => {
        const output = await nango.triggerAction<unknown, { id: string; success: boolean }>('salesforce', 'local', 'create-lead', {
            LastName: 'Hopper',
            Company: 'Navy'
        });
        expect(output.id).toMatch(/^00Q/);
    });

    it('an ActionError comes back as Nango’s 500 action_script_runtime_error with its payload', async () => {
        const { status, data } = await refusal(
            nango.triggerAction('salesforce', 'local', 'create-lead', { LastName: '', Company: 'Navy' })
        );
        expect(status).toBe(500);
        expect(data).toMatchObject({ error: { code: 'action_script_runtime_error', payload: { errorCode: expect.any(String) } } });
    });

    it('an unknown action is 404 not_found', async () => {
        const { status, data } = await refusal(nango.triggerAction('salesforce', 'local', 'delete-everything', {}));
        expect(status).toBe(404);
        expect(data).toMatchObject({ error: { code: 'not_found' } });
    });
});

describe('syncs and records', () => {
    it('triggerSync runs the sync; syncStatus reports it; listRecords pages the records', async () => {
        const before = await nango.syncStatus('google-mail', ['gmail-contacts'], 'local');
        expect(before.syncs[0]).toMatchObject({ name: 'gmail-contacts', status: 'PAUSED', frequency: 'every hour' });

        // The client's types say void; it returns the axios response, whose body is Nango's { success: true }.
        const trigger = (await nango.triggerSync('google-mail', ['gmail-contacts'], 'local')) as unknown as { data: unknown };
        expect(trigger.data).toEqual({ success: true });
        await api.idle();

        const status = await nango.syncStatus('google-mail', '*', 'local');
        const contacts = status.syncs.find((s) => s.name === 'gmail-contacts')!;
        expect(contacts.status).toBe('SUCCESS');
        expect(contacts.recordCount).toEqual({ GoogleContact: 150 });
        expect(contacts.latestResult).toEqual({ GoogleContact: { added: 150, updated: 0, deleted: 0 } });
        expect(contacts.checkpoint).not.toBeNull();

        const first = await nango.listRecords({
            providerConfigKey: 'google-mail',
            connectionId: 'local',
            model: 'GoogleContact',
            limit: 100
        });
        expect(first.records).toHaveLength(100);
        expect(first.next_cursor).toEqual(expect.any(String));
        const second = await nango.listRecords({
            providerConfigKey: 'google-mail',
            connectionId: 'local',
            model: 'GoogleContact',
            limit: 100,
            cursor: first.next_cursor!
        });
        expect(second.records).toHaveLength(50);
        expect(second.next_cursor).toBeNull();
        expect(first.records[0]!._nango_metadata).toMatchObject({ last_action: 'ADDED', deleted_at: null });

        const ids = [String(first.records[3]!.id), String(second.records[7]!.id)];
        const byIds = await nango.listRecords({ providerConfigKey: 'google-mail', connectionId: 'local', model: 'GoogleContact', ids });
        expect(byIds.records.map((r) => r.id).sort()).toEqual([...ids].sort());

        const deleted = await nango.listRecords({
            providerConfigKey: 'google-mail',
            connectionId: 'local',
            model: 'GoogleContact',
            filter: 'deleted'
        });
        expect(deleted.records).toEqual([]);
    });

    it('refuses an unknown sync (no_syncs_found) and a status query for an unknown connection', async () => {
        expect(await refusal(nango.triggerSync('google-mail', ['no-such-sync'], 'local'))).toMatchObject({
            status: 404,
            data: { error: { code: 'no_syncs_found' } }
        });
        expect(await refusal(nango.syncStatus('google-mail', '*', 'nobody'))).toMatchObject({
            status: 400,
            data: { error: { code: 'invalid_body', message: 'Connection not found' } }
        });
    });

    it('opts.emptyCache forgets the records and the checkpoint before the run', async () => {
        const conn = { integration: 'google-mail', connectionId: 'local' };
        store.saveRecords(conn, 'GoogleContact', [{ id: 'people/stale', displayName: 'Gone' }]);
        await nango.triggerSync('google-mail', ['gmail-contacts'], 'local', { reset: true, emptyCache: true });
        await api.idle();
        const page = await nango.listRecords({
            providerConfigKey: 'google-mail',
            connectionId: 'local',
            model: 'GoogleContact',
            ids: ['people/stale']
        });
        expect(page.records).toEqual([]);
        expect(store.countLive(conn, 'GoogleContact')).toBe(150);
    });

    it('refuses what Nango’s records API refuses', async () => {
        const base = { providerConfigKey: 'google-mail', connectionId: 'local', model: 'GoogleContact' };
        const tooOld = await refusal(nango.listRecords({ ...base, modifiedAfter: '2000-01-01T00:00:00.000Z' }));
        expect(tooOld.status).toBe(400);
        expect(tooOld.data).toMatchObject({ error: { code: 'invalid_query_params', errors: [{ path: ['modified_after'] }] } });
        expect((await refusal(nango.listRecords({ ...base, limit: 10_001 }))).status).toBe(400);
        expect((await refusal(nango.listRecords({ ...base, filter: 'added,gone' as 'added' }))).status).toBe(400);
        expect((await refusal(nango.listRecords({ ...base, connectionId: 'nobody' }))).data).toMatchObject({
            error: { code: 'unknown_connection' }
        });
    });
});
