/**
 * The conditional describe (nango-integrations/salesforce/describe.ts): a run after a full describe sends
 * If-Modified-Since and, answered 304, reuses the fields its checkpoint kept; a change of the object's metadata, of
 * our field list or of the API version asks again.
 */
import { describe, expect, it } from 'vitest';
import { describeKey, reusableDescribe } from '../../nango-integrations/salesforce/describe.js';
import { LEAD_FIELDS } from '../../nango-integrations/salesforce/fields.js';
import { OK, Scenario, summary, type SyncName } from './support.js';

const MINUTE = 60_000;

/** The status of each describe answer of a run. */
async function describeStatuses(s: Scenario, name: SyncName): Promise<{ statuses: number[]; calls: number; logs: string[] }> {
    const statuses: number[] = [];
    const result = await s.sync(name, {
        onHttpAnswer: (_count, answer) => {
            if (answer.url.includes('/describe')) statuses.push(answer.status);
        }
    });
    expect(result.status, result.error?.message).toBe('success');
    return { statuses, calls: result.calls, logs: result.logs.map((l) => l.message) };
}

describe.each(['salesforce-leads', 'salesforce-opportunities'] as const)('%s: describe only when it changed', (name) => {
    it('reuses the fields of the last describe when Salesforce answers 304, in the same three calls', async () => {
        const s = new Scenario();
        expect((await describeStatuses(s, name)).statuses).toEqual([200]);
        const first = s.checkpoint(name)!;
        s.clock.advance(10 * MINUTE);
        const second = await describeStatuses(s, name);
        expect(second.statuses).toEqual([304]);
        expect(second.calls).toBe(3);
        expect(s.checkpoint(name)).toMatchObject({ fields: first.fields, describedAt: first.describedAt });
        expect(summary(s.verdict(name))).toMatchObject(OK);
    });

    it('asks again once the object changed, even moments after the last describe, and reads everything again', async () => {
        const s = new Scenario();
        await s.sync(name);
        s.clock.advance(1000);
        s.sim.removeField(name === 'salesforce-leads' ? 'Lead' : 'Opportunity', 'CreatedDate');
        s.clock.advance(1000);
        const after = await describeStatuses(s, name);
        expect(after.statuses).toEqual([200]);
        expect(after.logs.some((l) => l.includes('The queryable fields changed'))).toBe(true);
        expect(s.checkpoint(name)!.fields.split(',')).not.toContain('CreatedDate');
        expect(s.live(name).every((r) => r['createdDate'] === null)).toBe(true);
        expect(summary(s.verdict(name))).toMatchObject(OK);
        // The date sent is the describe's minus a margin (describe.ts), so a change just before it is asked about once
        // more; then the answer is 304 again.
        s.clock.advance(10 * MINUTE);
        expect((await describeStatuses(s, name)).statuses).toEqual([200]);
        s.clock.advance(10 * MINUTE);
        expect((await describeStatuses(s, name)).statuses).toEqual([304]);
    });
});

describe('salesforce-leads: describe only when it changed', () => {
    it('still stores a field the org lacks as null and says so on a run answered 304', async () => {
        const s = new Scenario();
        s.sim.removeField('Lead', 'MiddleName');
        s.clock.advance(10 * MINUTE);
        await s.sync('salesforce-leads');
        s.sim.store.update('Lead', s.ordered('Lead')[0]!.id, { Title: 'Chief Reader' }, {});
        s.clock.advance(10 * MINUTE);
        const second = await describeStatuses(s, 'salesforce-leads');
        expect(second.statuses).toEqual([304]);
        expect(second.logs).toContain("This org's Lead has no MiddleName: it is stored as null");
        expect(s.live('salesforce-leads').every((r) => r['middleName'] === null)).toBe(true);
        expect(summary(s.verdict('salesforce-leads'))).toMatchObject(OK);
    });

    it('sends an unconditional describe after a checkpoint of an earlier version, which kept no describe', async () => {
        const s = new Scenario();
        await s.sync('salesforce-leads');
        const { describedAt: _at, describedFor: _for, ...older } = s.checkpoint('salesforce-leads') as Record<string, string>;
        s.store.saveCheckpoint({ integration: 'salesforce', connectionId: 'local' }, 'salesforce-leads', older);
        const next = await describeStatuses(s, 'salesforce-leads');
        expect(next.statuses).toEqual([200]);
        expect(next.logs.some((l) => l.includes('reading every Lead again'))).toBe(false);
        expect(s.checkpoint('salesforce-leads')!.describedAt).not.toBe('');
    });
});

describe('reusableDescribe', () => {
    const saved = {
        fields: LEAD_FIELDS.join(','),
        describedAt: 'Thu, 15 Jan 2026 11:55:00 GMT',
        describedFor: describeKey('Lead', LEAD_FIELDS)
    };

    it('reuses what a describe of the same object, API version and field list found', () => {
        expect(reusableDescribe('Lead', LEAD_FIELDS, saved)).toEqual({ ...saved, fields: [...LEAD_FIELDS] });
    });

    it('asks again for another field list (a new version of the sync) or another object', () => {
        expect(reusableDescribe('Lead', LEAD_FIELDS.slice(0, -1), saved)).toBeNull();
        expect(reusableDescribe('Opportunity', LEAD_FIELDS, saved)).toBeNull();
    });

    it('takes only our own field names out of a checkpoint, and nothing without the cursor fields', () => {
        const tampered = { ...saved, fields: `Id,IsDeleted,SystemModstamp,Email,Name FROM User --` };
        expect(reusableDescribe('Lead', LEAD_FIELDS, tampered)?.fields).toEqual(['Id', 'IsDeleted', 'SystemModstamp', 'Email']);
        expect(reusableDescribe('Lead', LEAD_FIELDS, { ...saved, fields: 'Id,Email' })).toBeNull();
        expect(reusableDescribe('Lead', LEAD_FIELDS, { ...saved, describedAt: '' })).toBeNull();
    });
});
