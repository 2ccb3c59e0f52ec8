import { describe, expect, it } from 'vitest';
import { SalesforceLead, SalesforceOpportunity } from '../../models.js';
import { toIsoDateTime, toSalesforceLead, toSalesforceOpportunity } from '../../nango-integrations/salesforce/mappers.js';
import { SalesforceLeadRow, SalesforceOpportunityRow } from '../../nango-integrations/salesforce/schemas.js';

/** A lead row as the REST API returns it (captured shape: attributes header, `+0000` date-times). */
const LEAD_ROW = {
    attributes: { type: 'Lead', url: '/services/data/v66.0/sobjects/Lead/00QDn00000AbCdEMAU' },
    Id: '00QDn00000AbCdEMAU',
    IsDeleted: false,
    SystemModstamp: '2026-01-15T12:00:07.000+0000',
    FirstName: 'Zoë',
    LastName: "O'Brien",
    Company: "Ben & Jerry's Distribution",
    Salutation: 'Dr.',
    MiddleName: 'Anne',
    Title: null,
    Email: 'zoe.obrien@benjerrys.example',
    Phone: '+1 415 555 0101',
    Website: 'https://www.benjerrys.example',
    Industry: 'Retail',
    Status: 'Closed - Converted',
    LeadSource: 'Web',
    OwnerId: '005Dn0000000TIuIAM',
    // Lead.Owner is polymorphic (User or Group): the nested record's type is Name, its url the actual parent's.
    Owner: { attributes: { type: 'Name', url: '/services/data/v66.0/sobjects/User/005Dn0000000TIuIAM' }, Name: 'Dana Whitfield' },
    IsConverted: true,
    ConvertedAccountId: '001Dn00000AAAAAIA4',
    ConvertedContactId: '003Dn00000BBBBBIA4',
    ConvertedOpportunityId: '006Dn00000CCCCCIA4',
    CreatedDate: '2025-03-01T08:30:00.000+0000',
    LastModifiedDate: '2026-01-15T11:59:59.000+0000'
};

describe('toSalesforceLead', () => {
    it('maps a captured row to the cache model', () => {
        const lead = toSalesforceLead(SalesforceLeadRow.parse(LEAD_ROW));
        expect(lead).toEqual({
            id: '00QDn00000AbCdEMAU',
            salutation: 'Dr.',
            firstName: 'Zoë',
            middleName: 'Anne',
            lastName: "O'Brien",
            company: "Ben & Jerry's Distribution",
            title: null,
            email: 'zoe.obrien@benjerrys.example',
            phone: '+1 415 555 0101',
            website: 'https://www.benjerrys.example',
            industry: 'Retail',
            status: 'Closed - Converted',
            leadSource: 'Web',
            ownerId: '005Dn0000000TIuIAM',
            ownerName: 'Dana Whitfield',
            isConverted: true,
            convertedAccountId: '001Dn00000AAAAAIA4',
            convertedContactId: '003Dn00000BBBBBIA4',
            convertedOpportunityId: '006Dn00000CCCCCIA4',
            createdDate: '2025-03-01T08:30:00.000Z',
            lastModifiedDate: '2026-01-15T11:59:59.000Z',
            systemModstamp: '2026-01-15T12:00:07.000Z'
        });
        expect(SalesforceLead.safeParse(lead).success).toBe(true);
    });

    it('leaves fields the org lacks as null', () => {
        const { Title: _title, Phone: _phone, IsConverted: _converted, CreatedDate: _created, ...partial } = LEAD_ROW;
        const lead = toSalesforceLead(SalesforceLeadRow.parse(partial));
        expect(lead).toMatchObject({ title: null, phone: null, isConverted: null, createdDate: null, lastName: "O'Brien" });
        expect(SalesforceLead.safeParse(lead).success).toBe(true);
    });

    it("names a queue as the owner, and leaves the owner's name null when the org's Lead has no Owner lookup", () => {
        const queued = toSalesforceLead(
            SalesforceLeadRow.parse({
                ...LEAD_ROW,
                OwnerId: '00GDn0000000QqQMAU',
                Owner: {
                    attributes: { type: 'Name', url: '/services/data/v66.0/sobjects/Group/00GDn0000000QqQMAU' },
                    Name: 'Inbound Leads'
                }
            })
        );
        expect(queued).toMatchObject({ ownerId: '00GDn0000000QqQMAU', ownerName: 'Inbound Leads' });
        const { Owner: _owner, OwnerId: _ownerId, MiddleName: _middle, ...withoutOwner } = LEAD_ROW;
        const lead = toSalesforceLead(SalesforceLeadRow.parse(withoutOwner));
        expect(lead).toMatchObject({ ownerId: null, ownerName: null, middleName: null });
        expect(SalesforceLead.safeParse(lead).success).toBe(true);
    });

    it('keeps validating records cached before the new fields existed', () => {
        const {
            salutation: _s,
            middleName: _m,
            website: _w,
            industry: _i,
            ownerName: _o,
            ...older
        } = toSalesforceLead(SalesforceLeadRow.parse(LEAD_ROW));
        expect(SalesforceLead.safeParse(older).success).toBe(true);
    });

    it('refuses a row without the cursor fields', () => {
        const { SystemModstamp: _stamp, ...noStamp } = LEAD_ROW;
        expect(SalesforceLeadRow.safeParse(noStamp).success).toBe(false);
    });
});

describe('toSalesforceOpportunity', () => {
    it('maps amounts, probability, the close date and stage flags', () => {
        const row = SalesforceOpportunityRow.parse({
            attributes: { type: 'Opportunity', url: '/services/data/v66.0/sobjects/Opportunity/006Dn00000CCCCCIA4' },
            Id: '006Dn00000CCCCCIA4',
            IsDeleted: false,
            SystemModstamp: '2026-01-10T09:00:00.000+0000',
            Name: 'Initech - Renewal',
            Description: 'Three-year renewal.\nBudget approved in Q3.',
            AccountId: '001Dn00000AAAAAIA4',
            Account: { attributes: { type: 'Account', url: '/services/data/v66.0/sobjects/Account/001Dn00000AAAAAIA4' }, Name: 'Initech' },
            Amount: 125000.5,
            StageName: 'Closed Won',
            Probability: 100,
            CloseDate: '2026-01-09',
            Type: null,
            OwnerId: '005Dn0000000TIuIAM',
            Owner: { attributes: { type: 'User', url: '/services/data/v66.0/sobjects/User/005Dn0000000TIuIAM' }, Name: 'Dana Whitfield' },
            IsClosed: true,
            IsWon: true,
            CreatedById: '005Dn0000000TJ0IAM',
            CreatedDate: '2025-11-02T10:15:00.000+0000',
            LastModifiedDate: '2026-01-10T09:00:00.000+0000'
        });
        const opportunity = toSalesforceOpportunity(row);
        expect(opportunity).toEqual({
            id: '006Dn00000CCCCCIA4',
            name: 'Initech - Renewal',
            description: 'Three-year renewal.\nBudget approved in Q3.',
            accountId: '001Dn00000AAAAAIA4',
            accountName: 'Initech',
            amount: 125000.5,
            stageName: 'Closed Won',
            probability: 100,
            closeDate: '2026-01-09',
            type: null,
            ownerId: '005Dn0000000TIuIAM',
            ownerName: 'Dana Whitfield',
            isClosed: true,
            isWon: true,
            createdById: '005Dn0000000TJ0IAM',
            createdDate: '2025-11-02T10:15:00.000Z',
            lastModifiedDate: '2026-01-10T09:00:00.000Z',
            systemModstamp: '2026-01-10T09:00:00.000Z'
        });
        expect(SalesforceOpportunity.safeParse(opportunity).success).toBe(true);
    });

    it('leaves the account name null when the opportunity has no account', () => {
        const row = SalesforceOpportunityRow.parse({
            Id: '006Dn00000CCCCCIA4',
            IsDeleted: false,
            SystemModstamp: '2026-01-10T09:00:00.000+0000',
            AccountId: null,
            Account: null
        });
        expect(toSalesforceOpportunity(row)).toMatchObject({ accountId: null, accountName: null, description: null, createdById: null });
    });
});

describe('toIsoDateTime', () => {
    it('normalizes Salesforce offsets to UTC', () => {
        expect(toIsoDateTime('2026-01-15T12:00:00.000+0000')).toBe('2026-01-15T12:00:00.000Z');
        expect(toIsoDateTime('2026-01-15T14:00:00.000+0200')).toBe('2026-01-15T12:00:00.000Z');
        expect(() => toIsoDateTime('15/01/2026')).toThrow(/not ISO 8601/);
    });

    it("gives toISOString()'s answer for Salesforce's own form across centuries, leap days and milliseconds", () => {
        const start = Date.UTC(1700, 0, 1);
        const span = Date.UTC(4000, 11, 31) - start;
        for (let i = 0; i < 2000; i += 1) {
            const ms = start + Math.floor((((i * 7919) % 2000) / 2000) * span) + i;
            const iso = new Date(ms).toISOString();
            expect(toIsoDateTime(iso.replace('Z', '+0000'))).toBe(iso);
        }
        expect(toIsoDateTime('2024-02-29T23:59:59.999+0000')).toBe('2024-02-29T23:59:59.999Z');
        expect(() => toIsoDateTime('2023-02-29T00:00:00.000+0000')).toThrow(/not ISO 8601/);
        expect(() => toIsoDateTime('2026-01-15T24:00:00.000+0000')).toThrow(/not ISO 8601/);
        // A finer fraction keeps its first three digits.
        expect(toIsoDateTime('2026-01-15T12:00:00.1239+0000')).toBe('2026-01-15T12:00:00.123Z');
    });
});
