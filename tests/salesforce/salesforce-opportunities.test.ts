import { describe, expect, it } from 'vitest';
import { OK, Scenario, summary } from './support.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

describe('salesforce-opportunities', () => {
    it('caches every live opportunity with its stage flags, amount and close date', async () => {
        const s = new Scenario({ leads: 10, opportunities: 2500 });
        const result = await s.sync('salesforce-opportunities');
        expect(result.status).toBe('success');
        expect(result.calls).toBe(1 + Math.ceil(s.liveCount('Opportunity') / 2000));
        expect(summary(s.verdict('salesforce-opportunities'))).toMatchObject(OK);
        const won = [...s.sim.store.table('Opportunity').values()].find((r) => r['IsWon'] === true && typeof r['Amount'] === 'number')!;
        expect(s.live('salesforce-opportunities').find((r) => r['id'] === won['Id'])).toEqual({
            id: won['Id'],
            name: won['Name'],
            description: won['Description'],
            accountId: won['AccountId'],
            accountName:
                won['AccountId'] === null ? null : s.sim.store.table('Account').get(String(won['AccountId']).slice(0, 15))!['Name'],
            amount: won['Amount'],
            stageName: 'Closed Won',
            probability: won['Probability'],
            closeDate: won['CloseDate'],
            type: won['Type'],
            ownerId: won['OwnerId'],
            ownerName: s.sim.store.table('User').get(String(won['OwnerId']).slice(0, 15))!['Name'],
            isClosed: true,
            isWon: true,
            createdById: won['CreatedById'],
            createdDate: new Date(won['CreatedDate'] as number).toISOString(),
            lastModifiedDate: new Date(won['LastModifiedDate'] as number).toISOString(),
            systemModstamp: new Date(won['SystemModstamp'] as number).toISOString()
        });
    });

    it('caches account and owner names, null for a deal without an account, and descriptions with their line breaks', async () => {
        const s = new Scenario();
        await s.sync('salesforce-opportunities');
        const accounts = new Map([...s.sim.store.table('Account').values()].map((r) => [r['Id'], r['Name']]));
        const users = new Map([...s.sim.store.table('User').values()].map((r) => [r['Id'], r['Name']]));
        const cached = s.live('salesforce-opportunities');
        expect(cached.some((r) => r['accountId'] === null)).toBe(true);
        expect(cached.some((r) => typeof r['description'] === 'string' && r['description'].includes('\n'))).toBe(true);
        for (const deal of cached) {
            expect(deal['accountName']).toBe(deal['accountId'] === null ? null : accounts.get(deal['accountId'] as string));
            expect(deal['ownerName']).toBe(users.get(deal['ownerId'] as string));
        }
    });

    it('syncs an org whose Opportunity has no Account lookup, leaving account names null', async () => {
        const s = new Scenario();
        s.sim.removeField('Opportunity', 'AccountId');
        const result = await s.sync('salesforce-opportunities');
        expect(result.status).toBe('success');
        expect(s.live('salesforce-opportunities').every((r) => r['accountId'] === null && r['accountName'] === null)).toBe(true);
        expect(s.live('salesforce-opportunities').every((r) => typeof r['ownerName'] === 'string')).toBe(true);
        expect(summary(s.verdict('salesforce-opportunities'))).toMatchObject(OK);
    });

    it('follows stage changes, new deals, lead conversions, deletions and undeletions', async () => {
        const s = new Scenario();
        await s.sync('salesforce-opportunities');
        s.clock.advance(10 * MINUTE);
        s.sim.applyActivity('edit-opportunities');
        s.sim.applyActivity('new-opportunities');
        s.sim.applyActivity('convert-leads');
        s.sim.applyActivity('delete-opportunities');
        const result = await s.sync('salesforce-opportunities');
        expect(result.status).toBe('success');
        expect(result.byModel['SalesforceOpportunity']!.deleted).toBe(5);
        expect(summary(s.verdict('salesforce-opportunities'))).toMatchObject(OK);
        s.clock.advance(MINUTE);
        s.sim.applyActivity('undelete-opportunities');
        await s.sync('salesforce-opportunities');
        expect(summary(s.verdict('salesforce-opportunities'))).toMatchObject(OK);
    });

    it('saves and deletes nothing on a second run when nothing changed, in three calls', async () => {
        const s = new Scenario({ opportunities: 2500 });
        s.clock.advance(MINUTE);
        s.sim.applyActivity('delete-opportunities');
        await s.sync('salesforce-opportunities');
        s.clock.advance(10 * MINUTE);
        const again = await s.sync('salesforce-opportunities');
        expect(again.status).toBe('success');
        expect(again.records).toBe(0);
        expect(again.byModel['SalesforceOpportunity']).toEqual({ added: 0, updated: 0, deleted: 0 });
        // describe, the deletion log's earliestDateAvailable, one query page.
        expect(again.calls).toBe(3);
        expect(summary(s.verdict('salesforce-opportunities'))).toMatchObject(OK);
    });

    it('syncs an org without Probability, leaving it null, and keeps a checkpoint of its own', async () => {
        const s = new Scenario();
        s.sim.removeField('Opportunity', 'Probability');
        const result = await s.sync('salesforce-opportunities');
        expect(result.status).toBe('success');
        expect(s.live('salesforce-opportunities').every((r) => r['probability'] === null)).toBe(true);
        expect(s.checkpoint('salesforce-opportunities')!.fields.split(',')).not.toContain('Probability');
        expect(s.checkpoint('salesforce-leads')).toBeNull();
        expect(summary(s.verdict('salesforce-opportunities'))).toMatchObject(OK);
    });

    it('resumes after a crash between pages and finishes with the same cache', async () => {
        const s = new Scenario({ opportunities: 900 });
        s.sim.store.pageSizeCap = 200;
        expect((await s.sync('salesforce-opportunities', { stopAfterCheckpoints: 3 })).status).toBe('interrupted');
        s.clock.advance(MINUTE);
        s.sim.applyActivity('edit-opportunities');
        const rest = await s.sync('salesforce-opportunities');
        expect(rest.status).toBe('success');
        expect(summary(s.verdict('salesforce-opportunities'))).toMatchObject(OK);
    });

    it('removes an opportunity an interrupted resync saved and that was deleted before the resync started over', async () => {
        const s = new Scenario({ opportunities: 900 });
        await s.sync('salesforce-opportunities');
        s.sim.store.pageSizeCap = 200;
        s.clock.advance(MINUTE);
        s.sim.applyActivity('delete-opportunities');
        s.clock.advance(16 * DAY);
        expect((await s.sync('salesforce-opportunities', { stopAfterCheckpoints: 3 })).status).toBe('interrupted');
        expect(s.checkpoint('salesforce-opportunities')!.phase).toBe('resync');
        s.clock.advance(MINUTE);
        s.sim.store.delete('Opportunity', s.ordered('Opportunity')[0]!.id);
        const rest = await s.sync('salesforce-opportunities');
        expect(rest.status).toBe('success');
        expect(summary(s.verdict('salesforce-opportunities'))).toMatchObject(OK);
    });

    it('stops cleanly on REQUEST_LIMIT_EXCEEDED at the very first call and continues the next day', async () => {
        // The leads sync spends the whole allowance (describe + one page).
        const s = new Scenario({ dailyLimit: 2 });
        expect((await s.sync('salesforce-leads')).calls).toBe(2);
        const limited = await s.sync('salesforce-opportunities');
        expect(limited.status).toBe('success');
        expect(limited.logs.some((l) => l.level === 'error' && l.message.includes('REQUEST_LIMIT_EXCEEDED'))).toBe(true);
        expect(s.live('salesforce-opportunities')).toHaveLength(0);
        s.clock.advance(24 * 60 * MINUTE);
        expect((await s.sync('salesforce-opportunities')).status).toBe('success');
        expect(summary(s.verdict('salesforce-opportunities'))).toMatchObject(OK);
    });
});
