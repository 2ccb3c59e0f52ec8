import { describe, expect, it } from 'vitest';
import { runOnEvent, type OnEventType } from '../../runtime/index.js';
import { Scenario } from './support.js';

function onEvent(s: Scenario, event: OnEventType, options: { accessToken?: string } = {}) {
    return runOnEvent({
        integration: 'salesforce',
        name: event,
        event,
        store: s.store,
        clock: s.clock,
        connectionConfig: { instance_url: s.sim.instanceUrl },
        ...options
    });
}

const messages = (result: { logs: { message: string }[] }) => result.logs.map((l) => l.message).join('\n');

describe('salesforce validate-connection', () => {
    it('accepts a connection whose user has an identity, REST API access and Lead and Opportunity readable', async () => {
        const s = new Scenario({ leads: 5, opportunities: 2 });
        const result = await onEvent(s, 'validate-connection');
        expect(result.status).toBe('success');
        // userinfo, limits, Lead and Opportunity describe.
        expect(result.calls).toBe(4);
        expect(messages(result)).toMatch(/Salesforce connection valid: user 005\w{15} in org 00D\w{15}/);
    });

    it('refuses a token without an identity, naming it', async () => {
        const s = new Scenario({ leads: 5, opportunities: 2 });
        const result = await onEvent(s, 'validate-connection', { accessToken: 'revoked-token' });
        expect(result.status).toBe('failed');
        if (result.status !== 'failed') return;
        expect(result.error.message).toMatch(/^Salesforce connection refused: the token has no readable identity \(.*INVALID_SESSION_ID/);
    });

    it('refuses a user without REST API access, naming the permission', async () => {
        const s = new Scenario({ leads: 5, opportunities: 2 });
        s.sim.core.faults.inject('limits', { kind: 'status', status: 403, reason: 'API_DISABLED_FOR_ORG' });
        const result = await onEvent(s, 'validate-connection');
        expect(result.status).toBe('failed');
        if (result.status !== 'failed') return;
        expect(result.error.message).toMatch(
            /no REST API access \(.*API_DISABLED_FOR_ORG.*\): the user needs the "API Enabled" permission/
        );
    });

    it('refuses a user who cannot read a synced object, and names it', async () => {
        const s = new Scenario({ leads: 5, opportunities: 2 });
        s.sim.core.faults.inject('describe', { kind: 'status', status: 404 }, 1);
        const first = await onEvent(s, 'validate-connection');
        expect(first.status).toBe('failed');
        if (first.status !== 'failed') return;
        expect(first.error.message).toMatch(/the user cannot read Lead \(.*NOT_FOUND.*\): it needs Read access to Lead/);
        expect(first.error.message).not.toMatch(/Opportunity/);
    });

    it('refuses metadata the scripts would refuse on every run', async () => {
        const s = new Scenario({ leads: 5, opportunities: 2 });
        s.store.setMetadata({ integration: 'salesforce', connectionId: 'local' }, { modifiedSince: 'yesterday' });
        const result = await onEvent(s, 'validate-connection');
        expect(result.status).toBe('failed');
        if (result.status !== 'failed') return;
        expect(result.error.message).toMatch(/Invalid connection metadata for Salesforce: modifiedSince must be an ISO 8601 date/);
    });
});

describe('salesforce post-connection-creation and pre-connection-deletion', () => {
    it('logs who connected and stores nothing in the metadata the syncs validate', async () => {
        const s = new Scenario({ leads: 5, opportunities: 2 });
        const result = await onEvent(s, 'post-connection-creation');
        expect(result.status).toBe('success');
        expect(messages(result)).toMatch(
            /Salesforce connection created for integration\.user@acme\.example \(user 005\w{15}, org 00D\w{15}\)/
        );
        expect(s.store.getMetadata({ integration: 'salesforce', connectionId: 'local' })).toBeNull();
    });

    it('deletes without calling Salesforce', async () => {
        const s = new Scenario({ leads: 5, opportunities: 2 });
        const result = await onEvent(s, 'pre-connection-deletion');
        expect(result).toMatchObject({ status: 'success', calls: 0 });
        expect(messages(result)).toMatch(/no watch or subscription to stop/);
    });
});
