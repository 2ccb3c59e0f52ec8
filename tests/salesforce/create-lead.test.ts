import { describe, expect, it } from 'vitest';
import type { SalesforceRecord } from '../../models.js';
import { CONN, failure, Scenario } from './support.js';

describe('create-lead', () => {
    it('creates the lead in Salesforce and returns its id and the fields sent', async () => {
        const s = new Scenario();
        const input = {
            LastName: 'Okafor',
            Company: 'Blue Sun Ltd',
            FirstName: 'Ada',
            Email: 'ada@bluesun.example',
            Title: 'CTO',
            LeadSource: 'Web',
            extraFields: { Industry: 'Energy', Lead_Score__c: 42 }
        };
        const result = await s.action<SalesforceRecord>('create-lead', input);
        expect(result.status).toBe('success');
        if (result.status !== 'success') return;
        expect(result.calls).toBe(1);
        const { id } = result.output;
        expect(id).toMatch(/^00Q[a-zA-Z0-9]{15}$/);
        expect(result.output).toEqual({
            id,
            success: true,
            created: true,
            fields: {
                LastName: 'Okafor',
                Company: 'Blue Sun Ltd',
                FirstName: 'Ada',
                Email: 'ada@bluesun.example',
                Title: 'CTO',
                LeadSource: 'Web',
                Industry: 'Energy',
                Lead_Score__c: 42
            }
        });
        const stored = s.sim.store.table('Lead').get(id.slice(0, 15))!;
        expect(stored).toMatchObject({
            LastName: 'Okafor',
            Company: 'Blue Sun Ltd',
            Industry: 'Energy',
            Lead_Score__c: 42,
            Status: 'Open - Not Contacted'
        });
    });

    it('takes our field names (those of the SalesforceLead model), without a warning', async () => {
        const s = new Scenario();
        const result = await s.action<SalesforceRecord>('create-lead', {
            lastName: 'Hopper',
            company: 'Navy',
            firstName: 'Grace',
            email: 'grace@navy.example',
            leadSource: 'Web'
        });
        expect(result.status).toBe('success');
        if (result.status !== 'success') return;
        expect(result.logs.some((l) => l.level === 'warn')).toBe(false);
        expect(result.output.fields).toEqual({
            LastName: 'Hopper',
            Company: 'Navy',
            FirstName: 'Grace',
            Email: 'grace@navy.example',
            LeadSource: 'Web'
        });
        expect(s.sim.store.table('Lead').get(result.output.id.slice(0, 15))).toMatchObject({ LastName: 'Hopper', FirstName: 'Grace' });
    });

    it('still takes the old Salesforce spellings (LastName...), warning in the log', async () => {
        const s = new Scenario();
        const result = await s.action<SalesforceRecord>('create-lead', { LastName: 'Old', Company: 'Old Spelling', title: 'CTO' });
        expect(result.status).toBe('success');
        const warning = result.logs.find((l) => l.level === 'warn')!;
        expect(warning.message).toContain('LastName (now lastName), Company (now company)');
    });

    it.each([
        ['a missing lastName', { company: 'X' }, 'REQUIRED_FIELD_MISSING', ['lastName']],
        ['a missing LastName in the old spelling', { Company: 'X' }, 'REQUIRED_FIELD_MISSING', ['LastName']],
        ['a blank company in our spelling', { lastName: 'A', company: ' ' }, 'REQUIRED_FIELD_MISSING', ['company']],
        ['both spellings of one field', { lastName: 'A', LastName: 'B', company: 'X' }, 'INVALID_INPUT', ['lastName', 'LastName']],
        ['a blank LastName', { LastName: '   ', Company: 'X' }, 'REQUIRED_FIELD_MISSING', ['LastName']],
        ['a blank Company', { LastName: 'A', Company: '' }, 'REQUIRED_FIELD_MISSING', ['Company']],
        ['an 81-character LastName', { LastName: 'x'.repeat(81), Company: 'X' }, 'STRING_TOO_LONG', ['LastName']],
        ['a 41-character FirstName', { LastName: 'A', Company: 'X', FirstName: 'f'.repeat(41) }, 'STRING_TOO_LONG', ['FirstName']],
        ['a 256-character Company', { LastName: 'A', Company: 'c'.repeat(256) }, 'STRING_TOO_LONG', ['Company']],
        ['a 129-character Title', { LastName: 'A', Company: 'X', Title: 't'.repeat(129) }, 'STRING_TOO_LONG', ['Title']],
        ['a 41-character Phone', { LastName: 'A', Company: 'X', Phone: '1'.repeat(41) }, 'STRING_TOO_LONG', ['Phone']],
        ['an email without a domain', { LastName: 'A', Company: 'X', Email: 'ada@' }, 'INVALID_EMAIL_ADDRESS', ['Email']],
        ['an email with two @', { LastName: 'A', Company: 'X', Email: 'a@b@c.example' }, 'INVALID_EMAIL_ADDRESS', ['Email']],
        ['an 81-character email', { LastName: 'A', Company: 'X', Email: `${'a'.repeat(70)}@example.com` }, 'STRING_TOO_LONG', ['Email']],
        ['a number as LastName', { LastName: 42, Company: 'X' }, 'INVALID_INPUT', ['LastName']],
        [
            'an extra field that is not an API name',
            { LastName: 'A', Company: 'X', extraFields: { "Name = 'x' OR": 'y' } },
            'INVALID_FIELD',
            ["Name = 'x' OR"]
        ],
        [
            'an extra field repeating a named one',
            { LastName: 'A', Company: 'X', extraFields: { lastname: 'B' } },
            'INVALID_FIELD',
            ['lastname']
        ],
        ['an extra Id', { LastName: 'A', Company: 'X', extraFields: { Id: '00Q000000000001' } }, 'INVALID_FIELD', ['Id']],
        [
            'an extra field holding an object',
            { LastName: 'A', Company: 'X', extraFields: { Industry: { nested: true } } },
            'INVALID_INPUT',
            ['extraFields.Industry']
        ]
    ])('refuses %s before any call', async (_label, input, errorCode, fields) => {
        const s = new Scenario();
        const before = s.sim.store.table('Lead').size;
        // Nango does not validate action input in production: the action must refuse it itself.
        const { checkCreateLead } = await import('../../nango-integrations/salesforce/inputs.js');
        const checked = checkCreateLead(input);
        expect(checked.ok).toBe(false);
        if (!checked.ok) expect(checked.problem).toMatchObject({ errorCode, fields });
        const result = await s.action('create-lead', input);
        expect(result.status).toBe('failed');
        expect(result.calls).toBe(0);
        expect(s.sim.store.table('Lead').size).toBe(before);
    });

    it.each([
        ['a NUL in LastName', { LastName: 'Ok\u0000afor', Company: 'X' }, ['LastName']],
        ['a BEL in Company', { LastName: 'A', Company: 'Blue\u0007Sun' }, ['Company']],
        ['an ESC in Title', { LastName: 'A', Company: 'X', Title: '\u001b[31mCTO' }, ['Title']],
        ['a DEL in Email', { LastName: 'A', Company: 'X', Email: 'a\u007f@b.example' }, ['Email']],
        ['a newline in LastName (a single-line text field)', { LastName: 'A\nB', Company: 'X' }, ['LastName']],
        ['a tab in FirstName (a single-line text field)', { LastName: 'A', Company: 'X', FirstName: 'A\tB' }, ['FirstName']],
        ['a NUL in an extra field', { LastName: 'A', Company: 'X', extraFields: { Description: 'a\u0000b' } }, ['Description']]
    ])('refuses %s before any call, naming the field', async (_label, input, fields) => {
        const s = new Scenario();
        const before = s.sim.store.table('Lead').size;
        const error = failure(await s.action('create-lead', input));
        expect(error.payload).toMatchObject({ errorCode: 'INVALID_INPUT', fields });
        expect(String(error.payload['message'])).toContain(fields[0]!);
        expect(s.sim.store.table('Lead').size).toBe(before);
    });

    it('keeps tabs and line breaks where a text area holds them (Description, Street)', async () => {
        const s = new Scenario();
        const result = await s.action<SalesforceRecord>('create-lead', {
            LastName: 'Lines',
            Company: 'Lines Ltd',
            extraFields: { Description: 'first\tline\r\nsecond line', Street: '1 Main St\nSuite 2' }
        });
        expect(result.status).toBe('success');
        if (result.status !== 'success') return;
        expect(s.sim.store.table('Lead').get(result.output.id.slice(0, 15))).toMatchObject({
            Description: 'first\tline\r\nsecond line',
            Street: '1 Main St\nSuite 2'
        });
    });

    it('refuses an extra reference field that cannot be a Salesforce id, naming it', async () => {
        const s = new Scenario();
        const error = failure(await s.action('create-lead', { LastName: 'A', Company: 'X', extraFields: { OwnerId: 'bob' } }));
        expect(error.payload).toMatchObject({ errorCode: 'MALFORMED_ID', fields: ['OwnerId'] });
        expect(error.payload).not.toHaveProperty('status');
    });

    it("carries Salesforce's refusal: DUPLICATES_DETECTED", async () => {
        const s = new Scenario();
        s.sim.store.duplicateRuleOnLeadEmail = true;
        const existing = [...s.sim.store.table('Lead').values()].find((r) => r['IsDeleted'] !== true && typeof r['Email'] === 'string')!;
        const error = failure(await s.action('create-lead', { LastName: 'Twin', Company: 'Twin Co', Email: String(existing['Email']) }));
        expect(error.error_type).toBe('action_script_failure');
        expect(error.payload).toMatchObject({
            errorCode: 'DUPLICATES_DETECTED',
            message: 'Use one of these records?',
            fields: [],
            status: 400
        });
    });

    it("carries Salesforce's refusal: FIELD_CUSTOM_VALIDATION_EXCEPTION and a bad picklist value", async () => {
        const s = new Scenario();
        s.sim.store.validationRules.push({
            object: 'Lead',
            message: 'Partner leads need a phone number',
            errorField: 'Phone',
            when: { field: 'LeadSource', equals: 'Partner Referral' }
        });
        const rule = failure(await s.action('create-lead', { LastName: 'P', Company: 'P Co', LeadSource: 'Partner Referral' }));
        expect(rule.payload).toMatchObject({
            errorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
            message: 'Partner leads need a phone number',
            fields: ['Phone']
        });
        const picklist = failure(await s.action('create-lead', { LastName: 'P', Company: 'P Co', Status: 'Hot maybe' }));
        expect(picklist.payload).toMatchObject({ errorCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', fields: ['Status'] });
        const unknown = failure(await s.action('create-lead', { LastName: 'P', Company: 'P Co', extraFields: { Nope__c: 1 } }));
        expect(unknown.payload).toMatchObject({ errorCode: 'INVALID_FIELD' });
    });

    it('never sends the create twice, and says the outcome is unknown when the answer is lost', async () => {
        const s = new Scenario();
        const before = s.sim.store.table('Lead').size;
        s.sim.core.faults.inject('sobject.create', { kind: 'drop-response' });
        const result = await s.action('create-lead', { LastName: 'Once', Company: 'Only Once Inc' });
        expect(result.calls).toBe(1);
        const error = failure(result);
        expect(error.payload['type']).toBe('outcome_unknown');
        expect(String(error.payload['message'])).toMatch(/may or may not have been made.*duplicate/);
        expect([...s.sim.store.table('Lead').values()].filter((r) => r['Company'] === 'Only Once Inc')).toHaveLength(1);
        expect(s.sim.store.table('Lead').size).toBe(before + 1);
        s.sim.core.faults.inject('sobject.create', { kind: 'status', status: 503 });
        expect((await s.action('create-lead', { LastName: 'Twice', Company: 'Not Retried' })).calls).toBe(1);
    });

    it("makes a caller's retry after a lost answer find the lead already made, through the External ID field", async () => {
        const s = new Scenario();
        s.store.setMetadata(CONN, { leadExternalIdField: 'External_Key__c' });
        const input = { LastName: 'Keyed', Company: 'Keyed Retry Ltd', idempotencyKey: 'crm-order-1001' };
        s.sim.core.faults.inject('sobject.upsert', { kind: 'drop-response' });
        const lost = failure(await s.action('create-lead', input));
        expect(lost.payload['type']).toBe('outcome_unknown');
        expect(String(lost.payload['message'])).toContain('same idempotencyKey');
        const retries = [];
        for (let i = 0; i < 3; i += 1) retries.push(await s.action<SalesforceRecord>('create-lead', input));
        const leads = [...s.sim.store.table('Lead').values()].filter((r) => r['Company'] === 'Keyed Retry Ltd');
        expect(leads).toHaveLength(1);
        expect(leads[0]!['External_Key__c']).toBe('crm-order-1001');
        for (const retry of retries) {
            expect(retry.status).toBe('success');
            if (retry.status === 'success')
                expect(retry.output).toMatchObject({ id: leads[0]!['Id'], created: false, fields: { External_Key__c: 'crm-order-1001' } });
        }
    });

    it('creates a new lead through the External ID field for a new key (201)', async () => {
        const s = new Scenario();
        s.store.setMetadata(CONN, { leadExternalIdField: 'External_Key__c' });
        const result = await s.action<SalesforceRecord>('create-lead', { LastName: 'New', Company: 'New Key', idempotencyKey: 'k-1' });
        expect(result.status).toBe('success');
        if (result.status === 'success') expect(result.output).toMatchObject({ created: true, success: true });
    });

    it("carries Salesforce's refusal of a leadExternalIdField that is not an External ID field, or does not exist", async () => {
        for (const field of ['Company', 'Missing_Key__c']) {
            const s = new Scenario();
            s.store.setMetadata(CONN, { leadExternalIdField: field });
            const error = failure(await s.action('create-lead', { LastName: 'A', Company: 'B', idempotencyKey: 'k-2' }));
            expect(error.payload).toMatchObject({ errorCode: 'NOT_FOUND', status: 404 });
        }
    });

    it('refuses an idempotencyKey without a leadExternalIdField, and bad metadata, before any call', async () => {
        const s = new Scenario();
        const bare = await s.action('create-lead', { LastName: 'A', Company: 'B', idempotencyKey: 'k-3' });
        expect(bare.calls).toBe(0);
        expect(failure(bare).payload).toMatchObject({ errorCode: 'INVALID_INPUT', fields: ['idempotencyKey'] });
        expect(String(failure(bare).payload['message'])).toContain('leadExternalIdField');
        s.store.setMetadata(CONN, { leadExternalIdFeld: 'External_Key__c' });
        const typo = await s.action('create-lead', { LastName: 'A', Company: 'B' });
        expect(typo.calls).toBe(0);
        expect(String(failure(typo).payload['message'])).toMatch(/unknown key leadExternalIdFeld.*connection's metadata/);
        s.store.setMetadata(CONN, { leadExternalIdField: 'External_Key__c' });
        const slash = await s.action('create-lead', { LastName: 'A', Company: 'B', idempotencyKey: '../Lead/x' });
        expect(slash.calls).toBe(0);
        expect(failure(slash).payload).toMatchObject({ fields: ['idempotencyKey'] });
    });

    it('sends the create once more after a 401 (nothing was applied), and reports a second 401 clearly', async () => {
        const s = new Scenario();
        s.sim.core.faults.inject('sobject.create', { kind: 'status', status: 401 });
        const retried = await s.action<SalesforceRecord>('create-lead', { LastName: 'Token', Company: 'Refresh' });
        expect(retried.status).toBe('success');
        expect(retried.calls).toBe(2);
        s.sim.core.faults.inject('sobject.create', { kind: 'status', status: 401 }, 2);
        const refused = failure(await s.action('create-lead', { LastName: 'Token', Company: 'Refused' }));
        expect(refused.payload).toMatchObject({ errorCode: 'INVALID_SESSION_ID', status: 401 });
        expect([...s.sim.store.table('Lead').values()].filter((r) => r['Company'] === 'Refused')).toHaveLength(0);
    });

    it('reports REQUEST_LIMIT_EXCEEDED as an ActionError', async () => {
        const s = new Scenario({ dailyLimit: 1 });
        s.sim.core.limit.tryConsume(1, s.clock.now());
        const limited = failure(await s.action('create-lead', { LastName: 'L', Company: 'Limit' }));
        expect(limited.payload).toMatchObject({ errorCode: 'REQUEST_LIMIT_EXCEEDED', status: 403 });
    });
});
