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
    Title: null,
    Email: 'zoe.obrien@benjerrys.example',
    Phone: '+1 415 555 0101',
    Status: 'Closed - Converted',
    LeadSource: 'Web',
    OwnerId: '005Dn0000000TIuIAM',
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
            firstName: 'Zoë',
            lastName: "O'Brien",
            company: "Ben & Jerry's Distribution",
            title: null,
            email: 'zoe.obrien@benjerrys.example',
            phone: '+1 415 555 0101',
            status: 'Closed - Converted',
            leadSource: 'Web',
            ownerId: '005Dn0000000TIuIAM',
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
            AccountId: '001Dn00000AAAAAIA4',
            Amount: 125000.5,
            StageName: 'Closed Won',
            Probability: 100,
            CloseDate: '2026-01-09',
            Type: null,
            OwnerId: '005Dn0000000TIuIAM',
            IsClosed: true,
            IsWon: true,
            CreatedDate: '2025-11-02T10:15:00.000+0000',
            LastModifiedDate: '2026-01-10T09:00:00.000+0000'
        });
        const opportunity = toSalesforceOpportunity(row);
        expect(opportunity).toEqual({
            id: '006Dn00000CCCCCIA4',
            name: 'Initech - Renewal',
            accountId: '001Dn00000AAAAAIA4',
            amount: 125000.5,
            stageName: 'Closed Won',
            probability: 100,
            closeDate: '2026-01-09',
            type: null,
            ownerId: '005Dn0000000TIuIAM',
            isClosed: true,
            isWon: true,
            createdDate: '2025-11-02T10:15:00.000Z',
            lastModifiedDate: '2026-01-10T09:00:00.000Z',
            systemModstamp: '2026-01-10T09:00:00.000Z'
        });
        expect(SalesforceOpportunity.safeParse(opportunity).success).toBe(true);
    });
});

describe('toIsoDateTime', () => {
    it('normalizes Salesforce offsets to UTC', () => {
        expect(toIsoDateTime('2026-01-15T12:00:00.000+0000')).toBe('2026-01-15T12:00:00.000Z');
        expect(toIsoDateTime('2026-01-15T14:00:00.000+0200')).toBe('2026-01-15T12:00:00.000Z');
        expect(() => toIsoDateTime('15/01/2026')).toThrow(/not ISO 8601/);
    });
});
