/**
 * The org's objects and fields, as `describe` reports them and as the API enforces them. Field sets are per
 * simulator instance, so a test can model an org that lacks a field (a feature switched off, a custom field never
 * created) or has an extra custom one.
 */

export type FieldType =
    | 'id'
    | 'reference'
    | 'string'
    | 'textarea'
    | 'email'
    | 'phone'
    | 'url'
    | 'picklist'
    | 'boolean'
    | 'currency'
    | 'double'
    | 'percent'
    | 'int'
    | 'date'
    | 'datetime';

export interface PicklistValue {
    value: string;
    label: string;
    active: boolean;
    defaultValue: boolean;
}

export interface FieldDef {
    name: string;
    label: string;
    type: FieldType;
    /** Characters, for text types. */
    length: number;
    nillable: boolean;
    createable: boolean;
    updateable: boolean;
    /** Salesforce fills it when a create leaves it out (OwnerId, Status...). */
    defaultedOnCreate: boolean;
    custom: boolean;
    /** Long text areas cannot be filtered or sorted on in SOQL. */
    filterable: boolean;
    sortable: boolean;
    picklistValues: PicklistValue[];
    /** Restricted picklists refuse values outside the list. */
    restrictedPicklist: boolean;
    referenceTo: string[];
    /**
     * A lookup's name in relationship queries (`Owner` for OwnerId, `Parent__r` for Parent__c), null for any other
     * field; describe reports it as `relationshipName`.
     */
    relationshipName: string | null;
    /** Numeric range and precision for number types. */
    precision: number;
    scale: number;
    /** An External ID field: indexed, usable as an upsert key (sobjects/{Type}/{field}/{value}). */
    externalId: boolean;
    /** A unique field refuses a second record with the same value (case-insensitive, as by default). */
    unique: boolean;
}

export interface ObjectDef {
    name: string;
    label: string;
    labelPlural: string;
    keyPrefix: string;
    fields: FieldDef[];
}

type FieldSpec = Partial<FieldDef> & { name: string; type: FieldType };

function field(spec: FieldSpec): FieldDef {
    const textual = ['string', 'textarea', 'email', 'phone', 'url', 'picklist'].includes(spec.type);
    const longText = spec.type === 'textarea' && (spec.length ?? 255) > 255;
    const system = ['id'].includes(spec.type);
    return {
        label: spec.name.replace(/__c$/, '').replace(/([a-z])([A-Z])/g, '$1 $2'),
        length: textual ? 255 : spec.type === 'id' || spec.type === 'reference' ? 18 : 0,
        nillable: !system,
        createable: !system,
        updateable: !system,
        defaultedOnCreate: false,
        custom: spec.name.endsWith('__c'),
        filterable: !longText,
        sortable: !longText,
        picklistValues: [],
        restrictedPicklist: spec.type === 'picklist',
        referenceTo: [],
        relationshipName: spec.type === 'reference' ? spec.name.replace(/__c$/, '__r').replace(/Id$/, '') : null,
        precision: spec.type === 'currency' ? 18 : spec.type === 'percent' || spec.type === 'double' ? 18 : 0,
        scale: spec.type === 'currency' ? 2 : spec.type === 'percent' ? 0 : spec.type === 'double' ? 2 : 0,
        externalId: false,
        unique: false,
        ...spec
    };
}

function picklist(values: readonly string[], defaultValue?: string): PicklistValue[] {
    return values.map((value) => ({ value, label: value, active: true, defaultValue: value === defaultValue }));
}

/** Read-only system fields every object has. */
function systemFields(): FieldDef[] {
    const readOnly = { nillable: false, createable: false, updateable: false, defaultedOnCreate: true };
    return [
        field({ name: 'Id', type: 'id', ...readOnly }),
        field({ name: 'IsDeleted', type: 'boolean', ...readOnly }),
        field({ name: 'CreatedDate', type: 'datetime', ...readOnly }),
        field({ name: 'CreatedById', type: 'reference', referenceTo: ['User'], ...readOnly }),
        field({ name: 'LastModifiedDate', type: 'datetime', ...readOnly }),
        field({ name: 'LastModifiedById', type: 'reference', referenceTo: ['User'], ...readOnly }),
        field({ name: 'SystemModstamp', type: 'datetime', ...readOnly })
    ];
}

/**
 * Most objects are owned by a user; a lead (like a case) can also be owned by a queue, a Group of Type 'Queue'
 * (Object Reference, Lead: OwnerId "Refers To Group, User").
 */
function owner(referenceTo: string[] = ['User']): FieldDef {
    return field({ name: 'OwnerId', type: 'reference', referenceTo, nillable: false, defaultedOnCreate: true });
}

const readOnly = { createable: false, updateable: false } as const;

export const LEAD_STATUSES = ['Open - Not Contacted', 'Working - Contacted', 'Closed - Converted', 'Closed - Not Converted'] as const;
export const LEAD_SOURCES = ['Web', 'Phone Inquiry', 'Partner Referral', 'Purchased List', 'Other'] as const;
export const INDUSTRIES = [
    'Agriculture',
    'Banking',
    'Biotechnology',
    'Consulting',
    'Education',
    'Energy',
    'Healthcare',
    'Retail',
    'Technology'
] as const;
export const RATINGS = ['Hot', 'Warm', 'Cold'] as const;
export const OPPORTUNITY_TYPES = [
    'Existing Customer - Upgrade',
    'Existing Customer - Replacement',
    'Existing Customer - Downgrade',
    'New Customer'
] as const;

/** The standard sales process: each stage's default probability and whether it closes the deal. */
export const STAGES: readonly { name: string; probability: number; closed: boolean; won: boolean; forecast: string }[] = [
    { name: 'Prospecting', probability: 10, closed: false, won: false, forecast: 'Pipeline' },
    { name: 'Qualification', probability: 10, closed: false, won: false, forecast: 'Pipeline' },
    { name: 'Needs Analysis', probability: 20, closed: false, won: false, forecast: 'Pipeline' },
    { name: 'Value Proposition', probability: 50, closed: false, won: false, forecast: 'Pipeline' },
    { name: 'Id. Decision Makers', probability: 60, closed: false, won: false, forecast: 'Pipeline' },
    { name: 'Perception Analysis', probability: 70, closed: false, won: false, forecast: 'Pipeline' },
    { name: 'Proposal/Price Quote', probability: 75, closed: false, won: false, forecast: 'Pipeline' },
    { name: 'Negotiation/Review', probability: 90, closed: false, won: false, forecast: 'Commit' },
    { name: 'Closed Won', probability: 100, closed: true, won: true, forecast: 'Closed' },
    { name: 'Closed Lost', probability: 0, closed: true, won: false, forecast: 'Omitted' }
];

export function leadObject(): ObjectDef {
    return {
        name: 'Lead',
        label: 'Lead',
        labelPlural: 'Leads',
        keyPrefix: '00Q',
        fields: [
            ...systemFields(),
            field({ name: 'MasterRecordId', type: 'reference', referenceTo: ['Lead'], ...readOnly }),
            field({ name: 'LastName', type: 'string', length: 80, nillable: false }),
            field({ name: 'FirstName', type: 'string', length: 40 }),
            // Only in orgs with "Enable Middle Names for Person Names" (Setup, User Interface); tests remove it.
            field({ name: 'MiddleName', type: 'string', length: 40 }),
            field({ name: 'Salutation', type: 'picklist', picklistValues: picklist(['Mr.', 'Ms.', 'Mrs.', 'Dr.', 'Prof.']) }),
            field({ name: 'Name', type: 'string', length: 121, nillable: false, ...readOnly }),
            field({ name: 'Title', type: 'string', length: 128 }),
            field({ name: 'Company', type: 'string', length: 255, nillable: false }),
            field({ name: 'Street', type: 'textarea', length: 255 }),
            field({ name: 'City', type: 'string', length: 40 }),
            field({ name: 'State', type: 'string', length: 80 }),
            field({ name: 'PostalCode', type: 'string', length: 20 }),
            field({ name: 'Country', type: 'string', length: 80 }),
            field({ name: 'Phone', type: 'phone', length: 40 }),
            field({ name: 'MobilePhone', type: 'phone', length: 40 }),
            field({ name: 'Email', type: 'email', length: 80 }),
            field({ name: 'Website', type: 'url', length: 255 }),
            field({ name: 'Description', type: 'textarea', length: 32000 }),
            field({ name: 'LeadSource', type: 'picklist', picklistValues: picklist(LEAD_SOURCES) }),
            field({
                name: 'Status',
                label: 'Lead Status',
                type: 'picklist',
                nillable: false,
                defaultedOnCreate: true,
                picklistValues: picklist(LEAD_STATUSES, 'Open - Not Contacted')
            }),
            field({ name: 'Industry', type: 'picklist', picklistValues: picklist(INDUSTRIES) }),
            field({ name: 'Rating', type: 'picklist', picklistValues: picklist(RATINGS) }),
            field({ name: 'AnnualRevenue', type: 'currency' }),
            field({ name: 'NumberOfEmployees', type: 'int', precision: 8 }),
            owner(['Group', 'User']),
            field({ name: 'IsConverted', type: 'boolean', nillable: false, defaultedOnCreate: true, ...readOnly }),
            field({ name: 'ConvertedDate', type: 'date', ...readOnly }),
            field({ name: 'ConvertedAccountId', type: 'reference', referenceTo: ['Account'], ...readOnly }),
            field({ name: 'ConvertedContactId', type: 'reference', referenceTo: ['Contact'], ...readOnly }),
            field({ name: 'ConvertedOpportunityId', type: 'reference', referenceTo: ['Opportunity'], ...readOnly }),
            field({ name: 'IsUnreadByOwner', type: 'boolean', nillable: false, defaultedOnCreate: true }),
            field({ name: 'LastActivityDate', type: 'date', ...readOnly }),
            field({ name: 'Lead_Score__c', label: 'Lead Score', type: 'double', precision: 5, scale: 0 }),
            // A custom External ID, Unique text field: what an admin adds for keyed (idempotent) lead creation.
            field({ name: 'External_Key__c', label: 'External Key', type: 'string', length: 255, externalId: true, unique: true })
        ]
    };
}

export function opportunityObject(): ObjectDef {
    return {
        name: 'Opportunity',
        label: 'Opportunity',
        labelPlural: 'Opportunities',
        keyPrefix: '006',
        fields: [
            ...systemFields(),
            field({ name: 'AccountId', type: 'reference', referenceTo: ['Account'] }),
            field({ name: 'IsPrivate', type: 'boolean', nillable: false, defaultedOnCreate: true }),
            field({ name: 'Name', type: 'string', length: 120, nillable: false }),
            field({ name: 'Description', type: 'textarea', length: 32000 }),
            field({
                name: 'StageName',
                label: 'Stage',
                type: 'picklist',
                nillable: false,
                picklistValues: picklist(STAGES.map((s) => s.name))
            }),
            field({ name: 'Amount', type: 'currency' }),
            field({ name: 'Probability', label: 'Probability (%)', type: 'percent', precision: 3 }),
            field({ name: 'ExpectedRevenue', type: 'currency', ...readOnly }),
            field({ name: 'CloseDate', type: 'date', nillable: false }),
            field({ name: 'Type', type: 'picklist', picklistValues: picklist(OPPORTUNITY_TYPES) }),
            field({ name: 'NextStep', type: 'string', length: 255 }),
            field({ name: 'LeadSource', type: 'picklist', picklistValues: picklist(LEAD_SOURCES) }),
            field({ name: 'IsClosed', type: 'boolean', nillable: false, defaultedOnCreate: true, ...readOnly }),
            field({ name: 'IsWon', type: 'boolean', nillable: false, defaultedOnCreate: true, ...readOnly }),
            field({
                name: 'ForecastCategoryName',
                type: 'picklist',
                defaultedOnCreate: true,
                picklistValues: picklist(['Omitted', 'Pipeline', 'Best Case', 'Commit', 'Closed'])
            }),
            owner(),
            field({ name: 'LastActivityDate', type: 'date', ...readOnly }),
            field({ name: 'Competitor__c', type: 'string', length: 100 })
        ]
    };
}

export function accountObject(): ObjectDef {
    return {
        name: 'Account',
        label: 'Account',
        labelPlural: 'Accounts',
        keyPrefix: '001',
        fields: [
            ...systemFields(),
            field({ name: 'Name', type: 'string', length: 255, nillable: false }),
            field({
                name: 'Type',
                type: 'picklist',
                picklistValues: picklist(['Prospect', 'Customer - Direct', 'Customer - Channel', 'Partner'])
            }),
            field({ name: 'Industry', type: 'picklist', picklistValues: picklist(INDUSTRIES) }),
            field({ name: 'Website', type: 'url', length: 255 }),
            field({ name: 'Phone', type: 'phone', length: 40 }),
            owner()
        ]
    };
}

export function contactObject(): ObjectDef {
    return {
        name: 'Contact',
        label: 'Contact',
        labelPlural: 'Contacts',
        keyPrefix: '003',
        fields: [
            ...systemFields(),
            field({ name: 'AccountId', type: 'reference', referenceTo: ['Account'] }),
            field({ name: 'LastName', type: 'string', length: 80, nillable: false }),
            field({ name: 'FirstName', type: 'string', length: 40 }),
            field({ name: 'Name', type: 'string', length: 121, nillable: false, ...readOnly }),
            field({ name: 'Title', type: 'string', length: 128 }),
            field({ name: 'Email', type: 'email', length: 80 }),
            field({ name: 'Phone', type: 'phone', length: 40 }),
            owner()
        ]
    };
}

export function userObject(): ObjectDef {
    return {
        name: 'User',
        label: 'User',
        labelPlural: 'Users',
        keyPrefix: '005',
        fields: [
            ...systemFields().filter((f) => f.name !== 'IsDeleted'),
            field({ name: 'Username', type: 'string', length: 80, nillable: false }),
            field({ name: 'LastName', type: 'string', length: 80, nillable: false }),
            field({ name: 'FirstName', type: 'string', length: 40 }),
            field({ name: 'Name', type: 'string', length: 121, nillable: false, ...readOnly }),
            field({ name: 'Email', type: 'email', length: 128, nillable: false }),
            field({ name: 'IsActive', type: 'boolean', nillable: false, defaultedOnCreate: true })
        ]
    };
}

/** Users and queues: what a polymorphic Owner points at besides a user (Object Reference, Group). */
export function groupObject(): ObjectDef {
    return {
        name: 'Group',
        label: 'Group',
        labelPlural: 'Groups',
        keyPrefix: '00G',
        fields: [
            ...systemFields().filter((f) => f.name !== 'IsDeleted'),
            field({ name: 'Name', type: 'string', length: 40, nillable: false }),
            field({ name: 'DeveloperName', type: 'string', length: 80, nillable: false }),
            field({ name: 'Type', type: 'picklist', nillable: false, picklistValues: picklist(['Regular', 'Queue', 'Role']) }),
            field({ name: 'Email', type: 'email', length: 255 })
        ]
    };
}

/**
 * What a polymorphic lookup (Lead.Owner) is traversed as in SOQL: the `Name` entity, the fields every possible
 * parent shares, filled from the actual parent (Object Reference, Name: "allows retrieval of the owner name, whether
 * the owner is a user or a group (queue)"). A field the parent lacks (a queue's FirstName) reads as null.
 */
export function nameEntity(): ObjectDef {
    const readOnlyText = (name: string, length: number): FieldDef => field({ name, type: 'string', length, ...readOnly });
    return {
        name: 'Name',
        label: 'Name',
        labelPlural: 'Names',
        keyPrefix: '',
        fields: [
            field({ name: 'Id', type: 'id', nillable: false, ...readOnly }),
            readOnlyText('Name', 255),
            readOnlyText('FirstName', 40),
            readOnlyText('LastName', 80),
            readOnlyText('Username', 80),
            field({ name: 'Email', type: 'email', length: 128, ...readOnly }),
            field({ name: 'IsActive', type: 'boolean', ...readOnly }),
            // The parent's object name (`User`, `Group`).
            readOnlyText('Type', 40)
        ]
    };
}

/** The objects of one org, with per-org changes to their field sets. */
export class OrgSchema {
    private readonly objects = new Map<string, ObjectDef>();
    /**
     * Fields taken away by a test, per object, with when (ms), kept so a snapshot can replay them; a removal without
     * a time (a snapshot older than this field) counts as a change at an unknown time, so no describe is answered 304.
     */
    readonly removed: { object: string; field: string; at?: number }[] = [];

    constructor() {
        for (const object of [leadObject(), opportunityObject(), accountObject(), contactObject(), userObject(), groupObject()]) {
            this.objects.set(object.name.toLowerCase(), object);
        }
    }

    /** Object names are case-insensitive in the API; the answer carries the canonical name. */
    object(name: string): ObjectDef | undefined {
        return this.objects.get(name.toLowerCase());
    }

    field(object: ObjectDef, name: string): FieldDef | undefined {
        const lower = name.toLowerCase();
        return object.fields.find((f) => f.name.toLowerCase() === lower);
    }

    objectNames(): string[] {
        return [...this.objects.values()].map((o) => o.name);
    }

    /** Makes the org lack a field, as an org without a feature or a custom field does; `at` is when (ms). */
    removeField(objectName: string, fieldName: string, at?: number): void {
        const object = this.object(objectName);
        if (!object) throw new Error(`no object ${objectName}`);
        if (['id', 'isdeleted', 'systemmodstamp'].includes(fieldName.toLowerCase()))
            throw new Error(`cannot remove system field ${fieldName}`);
        const before = object.fields.length;
        object.fields = object.fields.filter((f) => f.name.toLowerCase() !== fieldName.toLowerCase());
        if (object.fields.length === before) throw new Error(`no field ${objectName}.${fieldName}`);
        this.removed.push({ object: object.name, field: fieldName, ...(at !== undefined ? { at } : {}) });
    }

    /** When an object's metadata last changed (ms): when the org came to be (`since`), or its last removal since. */
    changedAt(object: ObjectDef, since: number): number {
        let at = since;
        for (const removal of this.removed) if (removal.object === object.name) at = Math.max(at, removal.at ?? Infinity);
        return at;
    }
}
