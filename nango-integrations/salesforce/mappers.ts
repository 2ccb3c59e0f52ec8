/**
 * Pure mappings from Salesforce rows to the cache models. Absent fields (an org without them) become null, and so does
 * a parent's name when the lookup is empty or the org has no such lookup.
 */
import type { SalesforceLead, SalesforceOpportunity } from '../../models.js';
import type { SalesforceLeadRow, SalesforceOpportunityRow } from './schemas.js';
import { parseIsoDateTime } from './soql.js';

/** Salesforce writes `2026-01-15T12:00:00.000+0000`; the cache keeps `2026-01-15T12:00:00.000Z`. */
export function toIsoDateTime(value: string): string {
    const ms = parseIsoDateTime(value);
    if (ms === null) throw new Error(`Salesforce sent a date-time that is not ISO 8601: ${JSON.stringify(value)}`);
    // Salesforce's own form already holds toISOString()'s digits: only the zone is written differently.
    const utcWithMillis = value.length === 28 && value[19] === '.' && value.endsWith('+0000');
    return utcWithMillis ? `${value.slice(0, 23)}Z` : new Date(ms).toISOString();
}

function optionalDateTime(value: string | null | undefined): string | null {
    return value === null || value === undefined ? null : toIsoDateTime(value);
}

export function toSalesforceLead(row: SalesforceLeadRow): SalesforceLead {
    return {
        id: row.Id,
        salutation: row.Salutation ?? null,
        firstName: row.FirstName ?? null,
        middleName: row.MiddleName ?? null,
        lastName: row.LastName ?? null,
        company: row.Company ?? null,
        title: row.Title ?? null,
        email: row.Email ?? null,
        phone: row.Phone ?? null,
        website: row.Website ?? null,
        industry: row.Industry ?? null,
        status: row.Status ?? null,
        leadSource: row.LeadSource ?? null,
        ownerId: row.OwnerId ?? null,
        ownerName: row.Owner?.Name ?? null,
        isConverted: row.IsConverted ?? null,
        convertedAccountId: row.ConvertedAccountId ?? null,
        convertedContactId: row.ConvertedContactId ?? null,
        convertedOpportunityId: row.ConvertedOpportunityId ?? null,
        createdDate: optionalDateTime(row.CreatedDate),
        lastModifiedDate: optionalDateTime(row.LastModifiedDate),
        systemModstamp: toIsoDateTime(row.SystemModstamp)
    };
}

export function toSalesforceOpportunity(row: SalesforceOpportunityRow): SalesforceOpportunity {
    return {
        id: row.Id,
        name: row.Name ?? null,
        description: row.Description ?? null,
        accountId: row.AccountId ?? null,
        accountName: row.Account?.Name ?? null,
        amount: row.Amount ?? null,
        stageName: row.StageName ?? null,
        probability: row.Probability ?? null,
        closeDate: row.CloseDate ?? null,
        type: row.Type ?? null,
        ownerId: row.OwnerId ?? null,
        ownerName: row.Owner?.Name ?? null,
        isClosed: row.IsClosed ?? null,
        isWon: row.IsWon ?? null,
        createdById: row.CreatedById ?? null,
        createdDate: optionalDateTime(row.CreatedDate),
        lastModifiedDate: optionalDateTime(row.LastModifiedDate),
        systemModstamp: toIsoDateTime(row.SystemModstamp)
    };
}
