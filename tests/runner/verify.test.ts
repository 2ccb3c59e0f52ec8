import { describe, expect, it } from 'vitest';
import { RecordsStore, runSync, VirtualClock } from '../../runtime/index.js';
import type { SimulatorName } from '../../runner/catalog.js';
import { verify } from '../../runner/commands/verify.js';
import { UserError } from '../../runner/errors.js';
import { prepareSimulatedConnection } from '../../runner/setup.js';
import { createSimulator, saveSimulators, SIMULATED_TOKEN } from '../../runner/simulators.js';
import type { Simulator } from '../../simulators/common/simulator.js';
import { server } from '../support/msw.js';

function output(): { write(text: string): boolean; text: string } {
    return {
        text: '',
        write(chunk: string) {
            this.text += chunk;
            return true;
        }
    };
}

/** A store holding a Salesforce connection synced from a simulated org, the org's state saved beside it. */
async function syncedSalesforce(
    connectionId: string
): Promise<{ store: RecordsStore; sim: Simulator; sims: Map<SimulatorName, Simulator> }> {
    const clock = new VirtualClock();
    const store = new RecordsStore(':memory:');
    const sim = createSimulator('salesforce', { clock, seed: 7, size: 30, latencyMs: 0, limits: false });
    const sims = new Map<SimulatorName, Simulator>([['salesforce', sim]]);
    server.use(...sim.handlers);
    const connectionConfig = prepareSimulatedConnection(store, 'salesforce', connectionId, sims);
    for (const name of ['salesforce-leads', 'salesforce-opportunities']) {
        const result = await runSync({
            integration: 'salesforce',
            name,
            store,
            connectionId,
            accessToken: SIMULATED_TOKEN,
            connectionConfig,
            clock
        });
        expect(result.status).toBe('success');
    }
    saveSimulators(store, connectionId, sims);
    return { store, sim, sims };
}

describe('verify', () => {
    it('passes a cache equal to its provider, and fails with the ids once the provider moved on', async () => {
        const { store, sim, sims } = await syncedSalesforce('local');
        const clean = output();
        expect(verify(store, { integration: 'salesforce' }, clean)).toBe(0);
        expect(clean.text).toContain('Cache of connection "local"');
        expect(clean.text).toMatch(/SalesforceLead +30 +30 +0 +0 +0 +0 +OK/);
        expect(clean.text).toContain('OK: 2 model(s) match their provider');

        sim.applyActivity('edit-leads');
        sim.applyActivity('delete-opportunities');
        saveSimulators(store, 'local', sims);
        const moved = output();
        expect(verify(store, { integration: 'salesforce' }, moved)).toBe(1);
        expect(moved.text).toMatch(/SalesforceLead .* DIFFERS/);
        expect(moved.text).toMatch(/SalesforceLead: stale: \w+/);
        expect(moved.text).toMatch(/SalesforceOpportunity: not deleted: \w+/);
        expect(moved.text).toContain('DIFFERS: 2 model(s) differ from their provider');
    });

    it("says which models it could not verify: google-mail's providers were never simulated on this connection", async () => {
        const { store } = await syncedSalesforce('local');
        const out = output();
        expect(verify(store, {}, out)).toBe(0);
        expect(out.text).toContain('not verified: GmailThread (google-mail: no simulated gmail on this connection yet)');
        expect(out.text).toContain('not verified: GoogleCalendarEvent');
    });

    it('says how to fill a model that was never synced, and counts it as differing', async () => {
        const clock = new VirtualClock();
        const store = new RecordsStore(':memory:');
        const sim = createSimulator('people', { clock, seed: 3, size: 5, latencyMs: 0, limits: false });
        saveSimulators(store, 'local', new Map([['people', sim]]));
        const out = output();
        expect(verify(store, { integration: 'google-mail' }, out)).toBe(1);
        expect(out.text).toContain('GoogleContact is empty: npm start -- sync google-mail gmail-contacts');
    });

    it("uses the rehearsal's connection when local has no simulated provider, and refuses a connection with none", async () => {
        const { store } = await syncedSalesforce('rehearsal');
        const out = output();
        expect(verify(store, { integration: 'salesforce' }, out)).toBe(0);
        expect(out.text).toContain('connection "rehearsal"');
        expect(() => verify(store, { connection: 'nobody' }, output())).toThrow(UserError);
        expect(() => verify(store, { connection: 'nobody' }, output())).toThrow(/no simulated provider to verify against/);
    });
});
