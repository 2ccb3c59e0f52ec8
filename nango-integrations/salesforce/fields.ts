/**
 * The Salesforce fields each synced model reads: one list per model, in one place. The sync queries the subset the
 * org has (describe), so an org without a field still syncs and the model's value is null.
 *
 * `Owner.Name` and `Account.Name` are child-to-parent paths: a lookup's relationshipName, then a field of the record
 * it points at (SOQL and SOSL Reference, "Relationship Queries"). Salesforce answers them as a nested record, or null
 * when the lookup is empty. Lead.Owner may be a user or a queue (a Group); Name exists on both, and on Account.
 */

/** Without these the incremental cursor cannot work; every object has them. */
export const CURSOR_FIELDS = ['Id', 'IsDeleted', 'SystemModstamp'] as const;

export const LEAD_FIELDS = [
    ...CURSOR_FIELDS,
    'Salutation',
    'FirstName',
    'MiddleName',
    'LastName',
    'Company',
    'Title',
    'Email',
    'Phone',
    'Website',
    'Industry',
    'Status',
    'LeadSource',
    'OwnerId',
    'Owner.Name',
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
    'Description',
    'AccountId',
    'Account.Name',
    'Amount',
    'StageName',
    'Probability',
    'CloseDate',
    'Type',
    'OwnerId',
    'Owner.Name',
    'IsClosed',
    'IsWon',
    'CreatedById',
    'CreatedDate',
    'LastModifiedDate'
] as const;

export type LeadField = (typeof LEAD_FIELDS)[number];
export type OpportunityField = (typeof OPPORTUNITY_FIELDS)[number];

/** What describe says of a field: its name and, for a lookup, its relationshipName (`Owner` for OwnerId). */
export interface DescribedField {
    name: string;
    relationshipName?: string | null | undefined;
}

/**
 * Whether this org can answer a field of ours: a plain field when describe lists it, a path when the object has a
 * lookup of that relationshipName (an org whose admin deleted a custom lookup has none, and the path is not queried:
 * Salesforce would refuse the whole query with INVALID_FIELD). The parent's field itself is not checked: only Name is
 * read, which every parent we reach has.
 */
export function isQueryable(field: string, described: readonly DescribedField[]): boolean {
    const dot = field.indexOf('.');
    if (dot < 0) return described.some((f) => f.name === field);
    const relationship = field.slice(0, dot);
    return described.some((f) => f.relationshipName === relationship);
}
