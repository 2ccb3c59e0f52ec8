import { describe, expect, it } from 'vitest';
import type { UpdateOpportunityOutput } from '../../models.js';
import { to18 } from '../../simulators/salesforce/index.js';
import { failure, Scenario } from './support.js';

describe('update-opportunity', () => {
    function someOpportunity(s: Scenario): string {
        return String(
            [...s.sim.store.table('Opportunity').values()].find((r) => r['IsDeleted'] !== true && r['IsClosed'] === false)!['Id']
        );
    }

    it('sends only the given fields under their Salesforce names and reports them', async () => {
        const s = new Scenario();
        const id = someOpportunity(s);
        const before = s.sim.store.table('Opportunity').get(id.slice(0, 15))!;
        s.clock.advance(5000);
        const result = await s.action<UpdateOpportunityOutput>('update-opportunity', {
            id,
            stageName: 'Negotiation/Review',
            amount: 125000.5,
            closeDate: '2026-06-30',
            nextStep: 'Sign'
        });
        expect(result.status).toBe('success');
        if (result.status !== 'success') return;
        expect(result.output).toEqual({ id, success: true, updatedFields: ['Amount', 'StageName', 'CloseDate', 'NextStep'] });
        const after = s.sim.store.table('Opportunity').get(id.slice(0, 15))!;
        expect(after).toMatchObject({
            StageName: 'Negotiation/Review',
            Amount: 125000.5,
            CloseDate: '2026-06-30',
            NextStep: 'Sign',
            Probability: 90
        });
        expect(after['Name']).toBe(before['Name']);
        expect(after['Description']).toBe(before['Description']);
        expect(after['SystemModstamp']).toBe(s.clock.now());
    });

    it('accepts a 15-character id and answers with the 18-character one; extra fields go through', async () => {
        const s = new Scenario();
        const id = someOpportunity(s);
        const result = await s.action<UpdateOpportunityOutput>('update-opportunity', {
            id: id.slice(0, 15),
            description: 'Renewal',
            extraFields: { Competitor__c: 'Contoso' }
        });
        expect(result.status).toBe('success');
        if (result.status === 'success')
            expect(result.output).toEqual({ id, success: true, updatedFields: ['Description', 'Competitor__c'] });
        expect(s.sim.store.table('Opportunity').get(id.slice(0, 15))).toMatchObject({ Description: 'Renewal', Competitor__c: 'Contoso' });
    });

    it.each([
        ['an id of another object (a lead)', (lead: string) => ({ id: lead, amount: 1 }), 'MALFORMED_ID'],
        ['a 16-character id', () => ({ id: '006Dn0000001abcd', amount: 1 }), 'MALFORMED_ID'],
        [
            'an 18-character id with a wrong suffix',
            (_l: string, opp: string) => ({ id: `${opp.slice(0, 15)}ZZZ`, amount: 1 }),
            'MALFORMED_ID'
        ],
        ['an 18-character id with its case changed', (_l: string, opp: string) => ({ id: opp.toLowerCase(), amount: 1 }), 'MALFORMED_ID'],
        ['an id carrying SOQL', (_l: string, opp: string) => ({ id: `${opp}' OR Name != '`, amount: 1 }), 'MALFORMED_ID'],
        ['a path in the id', (_l: string, opp: string) => ({ id: `../Lead/${opp}`, amount: 1 }), 'MALFORMED_ID'],
        ['no field to update', (_l: string, opp: string) => ({ id: opp }), 'INVALID_INPUT'],
        ['a close date that is not a date', (_l: string, opp: string) => ({ id: opp, closeDate: '2026-02-30' }), 'INVALID_INPUT'],
        ['a close date with a time', (_l: string, opp: string) => ({ id: opp, closeDate: '2026-02-03T10:00:00Z' }), 'INVALID_INPUT'],
        ['a probability of 101', (_l: string, opp: string) => ({ id: opp, probability: 101 }), 'NUMBER_OUTSIDE_VALID_RANGE'],
        ['a blank name', (_l: string, opp: string) => ({ id: opp, name: ' ' }), 'REQUIRED_FIELD_MISSING'],
        ['a 121-character name', (_l: string, opp: string) => ({ id: opp, name: 'n'.repeat(121) }), 'STRING_TOO_LONG'],
        ['an amount given as text', (_l: string, opp: string) => ({ id: opp, amount: '100' }), 'INVALID_INPUT'],
        [
            'an extra field repeating stageName',
            (_l: string, opp: string) => ({ id: opp, stageName: 'Prospecting', extraFields: { StageName: 'Closed Won' } }),
            'INVALID_FIELD'
        ],
        [
            'an extra field name with SOQL',
            (_l: string, opp: string) => ({ id: opp, extraFields: { 'Amount FROM Opportunity': 1 } }),
            'INVALID_FIELD'
        ],
        ['no id', () => ({ amount: 1 }), 'INVALID_INPUT']
    ])('refuses %s before any call', async (_label, make, errorCode) => {
        const s = new Scenario();
        const lead = String([...s.sim.store.table('Lead').values()][0]!['Id']);
        const input = make(lead, someOpportunity(s));
        const { checkUpdateOpportunity } = await import('../../nango-integrations/salesforce/inputs.js');
        const checked = checkUpdateOpportunity(input);
        expect(checked.ok).toBe(false);
        if (!checked.ok) expect(checked.problem.errorCode).toBe(errorCode);
        const result = await s.action('update-opportunity', input);
        expect(result.status).toBe('failed');
        expect(result.calls).toBe(0);
    });

    it.each([
        ['a close date in year 0000', { closeDate: '0000-01-01' }, 'closeDate'],
        ['a close date in year 9999', { closeDate: '9999-12-31' }, 'closeDate'],
        ['a close date the day before 1700', { closeDate: '1699-12-31' }, 'closeDate'],
        ['a close date after 4000-12-31', { closeDate: '4001-01-01' }, 'closeDate'],
        ['a NUL in the name', { name: 'Deal\u0000' }, 'name'],
        ['a newline in the name (a single-line text field)', { name: 'Deal\nTwo' }, 'name'],
        ['an ESC in the next step', { nextStep: '\u001bcall' }, 'nextStep'],
        ['a BEL in the description', { description: 'ring\u0007' }, 'description'],
        ['an extra AccountId that is no id', { extraFields: { AccountId: 'Acme' } }, 'AccountId'],
        ['an 18-character id whose suffix is wrong', { amount: 1 }, 'id']
    ])('refuses %s before any call, naming the field', async (label, change, field) => {
        const s = new Scenario();
        const id = someOpportunity(s);
        const input = { id: label.includes('suffix') ? `${id.slice(0, 15)}AAA` : id, ...change };
        const error = failure(await s.action('update-opportunity', input));
        expect(error.payload['fields']).toEqual([field]);
        expect(String(error.payload['message'])).toContain(field);
        expect(error.payload).not.toHaveProperty('status');
    });

    it('accepts the first and last dates Salesforce holds, and line breaks in the description (a text area)', async () => {
        const { checkUpdateOpportunity } = await import('../../nango-integrations/salesforce/inputs.js');
        const id = to18('006Dn0000001abc');
        expect(checkUpdateOpportunity({ id, closeDate: '1700-01-01' }).ok).toBe(true);
        expect(checkUpdateOpportunity({ id, closeDate: '4000-12-31' }).ok).toBe(true);
        expect(checkUpdateOpportunity({ id, description: 'line one\n\tline two\r\n' }).ok).toBe(true);
    });

    it('says clearly that a deleted opportunity cannot be updated', async () => {
        const s = new Scenario();
        const id = someOpportunity(s);
        s.sim.store.delete('Opportunity', id);
        const error = failure(await s.action('update-opportunity', { id, amount: 10 }));
        expect(error.payload).toMatchObject({ errorCode: 'ENTITY_IS_DELETED', status: 404 });
        expect(String(error.payload['message'])).toContain('recycle bin');
    });

    it('says clearly that an unknown opportunity does not exist', async () => {
        const s = new Scenario();
        const id = to18('006Dn0000zzzzzz');
        const error = failure(await s.action('update-opportunity', { id, amount: 10 }));
        expect(error.payload).toMatchObject({ errorCode: 'NOT_FOUND', status: 404 });
        expect(String(error.payload['message'])).toContain(`No opportunity with id ${id}`);
    });

    it("carries Salesforce's refusal of a bad stage name", async () => {
        const s = new Scenario();
        const error = failure(await s.action('update-opportunity', { id: someOpportunity(s), stageName: 'Almost won' }));
        expect(error.payload).toMatchObject({ errorCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', fields: ['StageName'] });
    });

    it('never sends the PATCH again after a server error: it may have been applied', async () => {
        const s = new Scenario();
        s.sim.core.faults.inject('sobject.update', { kind: 'status', status: 503 });
        const result = await s.action('update-opportunity', { id: someOpportunity(s), nextStep: 'Call back' });
        expect(result.status).toBe('failed');
        expect(result.calls).toBe(1);
    });

    it('sends the PATCH once more after a 401, when Salesforce applied nothing', async () => {
        const s = new Scenario();
        s.sim.core.faults.inject('sobject.update', { kind: 'status', status: 401 });
        const result = await s.action('update-opportunity', { id: someOpportunity(s), nextStep: 'Call back' });
        expect(result.status).toBe('success');
        expect(result.calls).toBe(2);
    });

    it('reports a lost answer as an unknown outcome without a second PATCH', async () => {
        const s = new Scenario();
        const id = someOpportunity(s);
        s.clock.advance(5000);
        s.sim.core.faults.inject('sobject.update', { kind: 'drop-response' });
        const error = failure(await s.action('update-opportunity', { id, nextStep: 'Lost answer' }));
        expect(s.sim.core.meter.get('sobject.update').calls).toBe(1);
        expect(error.payload).toMatchObject({ type: 'outcome_unknown', id });
        expect(String(error.payload['message'])).toMatch(/may or may not have been applied.*not sent again/);
        // Salesforce did apply it; the caller is told to look before sending again.
        expect(s.sim.store.table('Opportunity').get(id.slice(0, 15))!['NextStep']).toBe('Lost answer');
    });
});

describe('update-opportunity with lastModifiedDate (If-Unmodified-Since)', () => {
    function someOpportunity(s: Scenario): { id: string; lastModifiedDate: string } {
        const row = [...s.sim.store.table('Opportunity').values()].find((r) => r['IsDeleted'] !== true && r['IsClosed'] === false)!;
        return { id: String(row['Id']), lastModifiedDate: new Date(row['LastModifiedDate'] as number).toISOString() };
    }

    it('applies the change when the record is as the caller last saw it', async () => {
        const s = new Scenario();
        const { id, lastModifiedDate } = someOpportunity(s);
        s.clock.advance(5000);
        const result = await s.action<UpdateOpportunityOutput>('update-opportunity', { id, lastModifiedDate, amount: 4200 });
        expect(result.status).toBe('success');
        expect(s.sim.store.table('Opportunity').get(id.slice(0, 15))!['Amount']).toBe(4200);
    });

    it('refuses to overwrite a concurrent edit: a conflict carrying the current values, nothing changed', async () => {
        const s = new Scenario();
        const { id, lastModifiedDate } = someOpportunity(s);
        s.clock.advance(5000);
        s.sim.store.update('Opportunity', id, { Amount: 777, StageName: 'Qualification' });
        const edited = { ...s.sim.store.table('Opportunity').get(id.slice(0, 15))! };
        s.clock.advance(5000);
        const error = failure(await s.action('update-opportunity', { id, lastModifiedDate, amount: 4200 }));
        expect(error.payload).toMatchObject({
            type: 'conflict',
            id,
            status: 412,
            current: {
                id,
                amount: 777,
                stageName: 'Qualification',
                lastModifiedDate: new Date(edited['LastModifiedDate'] as number).toISOString()
            }
        });
        expect(s.sim.store.table('Opportunity').get(id.slice(0, 15))).toEqual(edited);
    });

    it('makes a retry after a lost answer safe: the applied first attempt turns the retry into a conflict', async () => {
        const s = new Scenario();
        const { id, lastModifiedDate } = someOpportunity(s);
        s.clock.advance(5000);
        s.sim.core.faults.inject('sobject.update', { kind: 'drop-response' });
        const lost = failure(await s.action('update-opportunity', { id, lastModifiedDate, amount: 4200 }));
        expect(lost.payload['type']).toBe('outcome_unknown');
        // A colleague edits between the lost answer and the caller's retry.
        s.clock.advance(5000);
        s.sim.store.update('Opportunity', id, { NextStep: 'Colleague edit' });
        const retry = failure(await s.action('update-opportunity', { id, lastModifiedDate, amount: 4200 }));
        expect(retry.payload).toMatchObject({ type: 'conflict', current: { amount: 4200 } });
        expect(s.sim.store.table('Opportunity').get(id.slice(0, 15))!['NextStep']).toBe('Colleague edit');
        expect(s.sim.core.meter.get('sobject.update').calls).toBe(2);
    });

    it.each(['yesterday', '2026-02-30T00:00:00Z', '0000-01-01T00:00:00Z'])('refuses lastModifiedDate %j before any call', async (value) => {
        const s = new Scenario();
        const error = failure(await s.action('update-opportunity', { id: someOpportunity(s).id, lastModifiedDate: value, amount: 1 }));
        expect(error.payload).toMatchObject({ errorCode: 'INVALID_INPUT', fields: ['lastModifiedDate'] });
    });
});
