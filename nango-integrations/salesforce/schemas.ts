/** Salesforce REST responses as they arrive (Salesforce's field names), parsed before anything reads them. */
import { z } from 'zod';

/** https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm */
export const SalesforceError = z.object({
    message: z.string(),
    errorCode: z.string(),
    fields: z.array(z.string()).optional()
});
export type SalesforceError = z.infer<typeof SalesforceError>;

export const SalesforceErrorArray = z.array(SalesforceError).min(1);

/** https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_query.htm */
export const SalesforceQueryResponse = z.object({
    totalSize: z.number(),
    done: z.boolean(),
    nextRecordsUrl: z.string().optional(),
    records: z.array(z.record(z.string(), z.unknown()))
});
export type SalesforceQueryResponse = z.infer<typeof SalesforceQueryResponse>;

/** https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_sobject_describe.htm */
export const SalesforceDescribe = z.object({
    name: z.string(),
    fields: z.array(z.object({ name: z.string(), type: z.string(), relationshipName: z.string().nullable().optional() }))
});

/** https://help.salesforce.com/s/articleView?id=sf.remoteaccess_using_userinfo_endpoint.htm (OpenID Connect UserInfo) */
export const SalesforceUserInfo = z.object({
    user_id: z.string(),
    organization_id: z.string(),
    preferred_username: z.string().nullable().optional(),
    active: z.boolean().optional()
});
export type SalesforceUserInfo = z.infer<typeof SalesforceUserInfo>;

/** https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_limits.htm */
export const SalesforceLimits = z.object({ DailyApiRequests: z.object({ Max: z.number(), Remaining: z.number() }) });

/** The part of describe that says whether the user may query the object at all. */
export const SalesforceObjectAccess = z.object({ name: z.string(), queryable: z.boolean() });

/** https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_sobject_create.htm */
export const SalesforceCreateResponse = z.object({
    id: z.string(),
    success: z.boolean(),
    errors: z.array(z.unknown())
});

/** https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_upsert.htm (`created` since API 46.0) */
export const SalesforceUpsertResponse = z.object({
    id: z.string(),
    success: z.boolean(),
    errors: z.array(z.unknown()),
    created: z.boolean().optional()
});

// A field the org lacks is not selected, so every non-cursor field may be absent from a row.
const text = z.string().nullable().optional();
const flag = z.boolean().nullable().optional();
const number = z.number().nullable().optional();
/**
 * A child-to-parent path's answer: the parent record (with its own `attributes`, whose type is `Name` through a
 * polymorphic lookup such as Lead.Owner) or null when the lookup is empty.
 * https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_relationships_query_using.htm
 */
const parentName = z.object({ Name: text }).nullable().optional();

const CursorColumns = {
    Id: z.string(),
    IsDeleted: z.boolean(),
    SystemModstamp: z.string()
};

export const SalesforceLeadRow = z.object({
    ...CursorColumns,
    Salutation: text,
    FirstName: text,
    MiddleName: text,
    LastName: text,
    Company: text,
    Title: text,
    Email: text,
    Phone: text,
    Website: text,
    Industry: text,
    Status: text,
    LeadSource: text,
    OwnerId: text,
    Owner: parentName,
    IsConverted: flag,
    ConvertedAccountId: text,
    ConvertedContactId: text,
    ConvertedOpportunityId: text,
    CreatedDate: text,
    LastModifiedDate: text
});
export type SalesforceLeadRow = z.infer<typeof SalesforceLeadRow>;

export const SalesforceOpportunityRow = z.object({
    ...CursorColumns,
    Name: text,
    Description: text,
    AccountId: text,
    Account: parentName,
    Amount: number,
    StageName: text,
    Probability: number,
    CloseDate: text,
    Type: text,
    OwnerId: text,
    Owner: parentName,
    IsClosed: flag,
    IsWon: flag,
    CreatedById: text,
    CreatedDate: text,
    LastModifiedDate: text
});
export type SalesforceOpportunityRow = z.infer<typeof SalesforceOpportunityRow>;

/** https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_getdeleted.htm */
export const SalesforceDeletedResponse = z.object({
    deletedRecords: z.array(z.object({ id: z.string(), deletedDate: z.string() })),
    earliestDateAvailable: z.string(),
    latestDateCovered: z.string()
});
