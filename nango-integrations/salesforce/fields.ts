/**
 * The Salesforce fields each synced model reads: one list per model, in one place. The sync queries the subset the
 * org has (describe), so an org without a field still syncs and the model's value is null.
 */

/** Without these the incremental cursor cannot work; every object has them. */
export const CURSOR_FIELDS = ['Id', 'IsDeleted', 'SystemModstamp'] as const;

export const LEAD_FIELDS = [
    ...CURSOR_FIELDS,
    'FirstName',
    'LastName',
    'Company',
    'Title',
    'Email',
    'Phone',
    'Status',
    'LeadSource',
    'OwnerId',
    'IsConverted',
    'ConvertedAccountId',
    'ConvertedContactId',
    'ConvertedOpportunityId',
    'CreatedDate',
    'LastModifiedDate'
] as const;

export const OPPORTUNITY_FIELDS = [
    ...CURSOR_FIELDS,
    'Name',
    'AccountId',
    'Amount',
    'StageName',
    'Probability',
    'CloseDate',
    'Type',
    'OwnerId',
    'IsClosed',
    'IsWon',
    'CreatedDate',
    'LastModifiedDate'
] as const;

export type LeadField = (typeof LEAD_FIELDS)[number];
export type OpportunityField = (typeof OPPORTUNITY_FIELDS)[number];
