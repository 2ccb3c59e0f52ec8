/**
 * Every model the scripts save or exchange: the records in Nango's cache, and the inputs and outputs of actions.
 *
 * A backend reading the cache imports the types from here (`import type { GmailThread } from '<this package>'`);
 * the scripts import the schemas. Field names are ours, not the providers': mapping happens in each provider's
 * `mappers.ts`. Optional provider fields are `nullable` (always present in the record, null when unknown) so a
 * reader never has to tell "missing" from "empty".
 */
import { z } from 'zod';

// ---------------------------------------------------------------------------------------------------------------
// Shared pieces
// ---------------------------------------------------------------------------------------------------------------

export const EmailAddress = z.object({
    email: z.string(),
    name: z.string().nullable()
});
export type EmailAddress = z.infer<typeof EmailAddress>;

/** An address as a caller gives it to an action: the display name is optional. */
export const EmailAddressInput = z.object({
    email: z.string(),
    name: z.string().optional()
});
export type EmailAddressInput = z.infer<typeof EmailAddressInput>;

// ---------------------------------------------------------------------------------------------------------------
// google-mail
// ---------------------------------------------------------------------------------------------------------------

export const GmailAttachment = z.object({
    filename: z.string(),
    mimeType: z.string(),
    size: z.number(),
    attachmentId: z.string().nullable(),
    /**
     * The part's Content-ID without its angle brackets. Inline images referenced by `cid:` from the HTML body have
     * one, but Gmail also sets Content-ID (and X-Attachment-Id) on ordinary attachments it sends
     * (`Content-Disposition: attachment`): a contentId does not make a part inline.
     */
    contentId: z.string().nullable()
});
export type GmailAttachment = z.infer<typeof GmailAttachment>;

export const GmailMessage = z.object({
    id: z.string(),
    threadId: z.string(),
    historyId: z.string(),
    /** RFC 5322 Message-ID header, used to thread replies. */
    messageId: z.string().nullable(),
    subject: z.string().nullable(),
    from: EmailAddress.nullable(),
    to: z.array(EmailAddress),
    cc: z.array(EmailAddress),
    /** ISO 8601, from Gmail's internalDate. */
    date: z.string(),
    labels: z.array(z.string()),
    snippet: z.string(),
    body_text: z.string().nullable(),
    body_html: z.string().nullable(),
    attachments: z.array(GmailAttachment),
    // The fields below came later: optional, so records cached before them still parse; the sync always sets them
    // (an empty list, or null, where the message has no such header).
    /** Reply-To addresses; empty when the header is absent (replies then go to `from`). */
    replyTo: z.array(EmailAddress).optional(),
    /** In-Reply-To header: the Message-ID (with its angle brackets) of the message this one answers. */
    inReplyTo: z.string().nullish(),
    /** References header: the Message-IDs of the conversation, oldest first, angle brackets kept. */
    references: z.array(z.string()).optional(),
    /** List-Unsubscribe header (RFC 2369): its `https:` URLs and `mailto:` addresses, in the order given. */
    listUnsubscribe: z.array(z.string()).optional(),
    /** Gmail's estimate of the message's size in bytes (`sizeEstimate`). */
    sizeEstimate: z.number().nullish(),
    /**
     * The Date header as the sender wrote it (RFC 5322, the sender's own clock and offset, e.g.
     * `Tue, 1 Dec 2026 09:00:00 +0100`), unparsed; `date` is Gmail's internalDate, the time Gmail received it.
     * Null when the message has no Date header (some drafts and API-sent mail).
     */
    dateHeader: z.string().nullish()
});
export type GmailMessage = z.infer<typeof GmailMessage>;

export const GmailThread = z.object({
    id: z.string(),
    historyId: z.string(),
    /** Subject, sender and recipients of the thread's first message. */
    subject: z.string().nullable(),
    from: EmailAddress.nullable(),
    to: z.array(EmailAddress),
    cc: z.array(EmailAddress),
    /** ISO 8601 date of the latest message. */
    date: z.string(),
    /** Union of the labels of the thread's messages. */
    labels: z.array(z.string()),
    snippet: z.string(),
    hasAttachment: z.boolean(),
    messages: z.array(GmailMessage)
});
export type GmailThread = z.infer<typeof GmailThread>;

/**
 * The google-mail connection's metadata, read by `gmail-threads` and the on-event scripts. `backfillDays` and
 * `pushTopic` are the product's to set (with Nango's updateMetadata, which keeps the others); the rest is written by
 * the scripts: replacing the whole metadata (setMetadata) drops them, and the next gmail-threads run restarts the watch.
 */
export const GmailThreadsMetadata = z
    .object({
        /** Backfill only the threads with mail in the last N days (Gmail search `newer_than:Nd`); default: the whole mailbox. */
        backfillDays: z.number().int().positive().optional(),
        /** Push on: the Pub/Sub topic Gmail publishes to, `projects/<project>/topics/<topic>` (README "Gmail push (Pub/Sub)"). */
        pushTopic: z
            .string()
            .regex(/^projects\/[^/]+\/topics\/[^/]+$/)
            .optional(),
        /** The mailbox's address, as Gmail's profile gives it; Nango routes pushes by `metadata.emailAddress`. Written by post-connection-creation. */
        emailAddress: z.string().min(1).optional(),
        /** The running watch: the history id it started at, when it was last (re)started and when Gmail ends it (ISO 8601). Written by the scripts. */
        pushWatchHistoryId: z.string().regex(/^\d+$/).optional(),
        pushWatchRenewedAt: z.iso.datetime().optional(),
        pushWatchExpiresAt: z.iso.datetime().optional()
    })
    // An unknown key is a misspelling (`backfilDays`): refused, so it cannot silently mean "the whole mailbox".
    .strict();
export type GmailThreadsMetadata = z.infer<typeof GmailThreadsMetadata>;

export const GoogleContact = z.object({
    /** The People API resourceName, e.g. `people/c123`. */
    id: z.string(),
    etag: z.string().nullable(),
    displayName: z.string().nullable(),
    givenName: z.string().nullable(),
    familyName: z.string().nullable(),
    emailAddresses: z.array(z.object({ value: z.string(), type: z.string().nullable(), primary: z.boolean() })),
    phoneNumbers: z.array(z.object({ value: z.string(), type: z.string().nullable(), primary: z.boolean() })),
    organizations: z.array(z.object({ name: z.string().nullable(), title: z.string().nullable(), department: z.string().nullable() })),
    photoUrl: z.string().nullable(),
    /** ISO 8601, from the contact source's updateTime. */
    updatedAt: z.string().nullable()
});
export type GoogleContact = z.infer<typeof GoogleContact>;

export const EmailAttachmentInput = z.object({
    filename: z.string(),
    mimeType: z.string(),
    /** The file's bytes, base64 (standard or url-safe alphabet). */
    content: z.string()
});
export type EmailAttachmentInput = z.infer<typeof EmailAttachmentInput>;

export const SendEmailInput = z.object({
    to: z.array(EmailAddressInput),
    cc: z.array(EmailAddressInput).optional(),
    bcc: z.array(EmailAddressInput).optional(),
    subject: z.string(),
    text: z.string().optional(),
    html: z.string().optional(),
    attachments: z.array(EmailAttachmentInput).optional(),
    replyTo: EmailAddressInput.optional(),
    /** The sender; Gmail uses the authenticated user (or a configured send-as alias) when omitted. */
    from: EmailAddressInput.optional(),
    /**
     * Makes a retry safe: the Message-ID is derived from this key (and the sender's domain), and a call whose message
     * is already in the mailbox returns it instead of sending again. Use one key per message you mean to send.
     */
    idempotencyKey: z.string().min(1).max(256).optional()
});
export type SendEmailInput = z.infer<typeof SendEmailInput>;

export const SendEmailOutput = z.object({
    id: z.string(),
    threadId: z.string(),
    labelIds: z.array(z.string()),
    /**
     * The RFC 5322 Message-ID the action gave the message, e.g. `<lq2x3.9f…@example.com>`. A send is not retried: after
     * a timeout, search SENT for it (`rfc822msgid:` in Gmail search) before sending again.
     */
    messageId: z.string()
});
export type SendEmailOutput = z.infer<typeof SendEmailOutput>;

export const ReplyEmailInput = z.object({
    /** The message to reply to. */
    messageId: z.string().optional(),
    /** Or a thread: the reply goes to its latest message. */
    threadId: z.string().optional(),
    text: z.string().optional(),
    html: z.string().optional(),
    replyAll: z.boolean().optional(),
    attachments: z.array(EmailAttachmentInput).optional(),
    /** As in SendEmailInput: a retried reply with the same key returns the reply already sent. */
    idempotencyKey: z.string().min(1).max(256).optional()
});
export type ReplyEmailInput = z.infer<typeof ReplyEmailInput>;

export const ReplyEmailOutput = SendEmailOutput;
export type ReplyEmailOutput = z.infer<typeof ReplyEmailOutput>;

// ---------------------------------------------------------------------------------------------------------------
// salesforce
// ---------------------------------------------------------------------------------------------------------------

/**
 * Fields marked "since 1.1.0" are optional: a record cached by an earlier version lacks them until the first 1.1.0 run
 * reads every record again (its field set changed). Null, like every other field, when the org lacks the field or the
 * record has no value.
 */
export const SalesforceLead = z.object({
    id: z.string(),
    /** Since 1.1.0. A picklist: `Mr.`, `Ms.`, `Dr.`... */
    salutation: z.string().nullable().optional(),
    firstName: z.string().nullable(),
    /** Since 1.1.0. Only in orgs that enabled middle names (Setup, User Interface). */
    middleName: z.string().nullable().optional(),
    lastName: z.string().nullable(),
    company: z.string().nullable(),
    title: z.string().nullable(),
    email: z.string().nullable(),
    phone: z.string().nullable(),
    /** Since 1.1.0. */
    website: z.string().nullable().optional(),
    /** Since 1.1.0. A picklist: `Banking`, `Retail`... */
    industry: z.string().nullable().optional(),
    status: z.string().nullable(),
    leadSource: z.string().nullable(),
    /** A user or a queue (`005...` or `00G...`). */
    ownerId: z.string().nullable(),
    /**
     * Since 1.1.0. The owner's name (the user's full name, or the queue's name), as of the lead's last change: renaming
     * a user or a queue does not change the lead, so its cached leads keep the old name until they change.
     */
    ownerName: z.string().nullable().optional(),
    isConverted: z.boolean().nullable(),
    convertedAccountId: z.string().nullable(),
    convertedContactId: z.string().nullable(),
    convertedOpportunityId: z.string().nullable(),
    createdDate: z.string().nullable(),
    lastModifiedDate: z.string().nullable(),
    systemModstamp: z.string()
});
export type SalesforceLead = z.infer<typeof SalesforceLead>;

/** Connection metadata read by the Salesforce syncs and `create-lead`; any other key is refused. */
export const SalesforceSyncMetadata = z.strictObject({
    /** ISO 8601 date or date-time, 1700-01-01 up to now: only records changed at or after it are synced. */
    modifiedSince: z.string().optional(),
    /** API name of a Lead External ID field (e.g. `External_Key__c`): `create-lead` upserts through it by `idempotencyKey`. */
    leadExternalIdField: z.string().optional()
});
export type SalesforceSyncMetadata = z.infer<typeof SalesforceSyncMetadata>;

/** Fields marked "since 1.1.0" are optional for the reason given above SalesforceLead. */
export const SalesforceOpportunity = z.object({
    id: z.string(),
    name: z.string().nullable(),
    /** Since 1.1.0. Long text, up to 32,000 characters. */
    description: z.string().nullable().optional(),
    accountId: z.string().nullable(),
    /** Since 1.1.0. As of the opportunity's last change (a renamed account leaves it as it was, see ownerName). */
    accountName: z.string().nullable().optional(),
    amount: z.number().nullable(),
    stageName: z.string().nullable(),
    probability: z.number().nullable(),
    /** YYYY-MM-DD */
    closeDate: z.string().nullable(),
    type: z.string().nullable(),
    ownerId: z.string().nullable(),
    /** Since 1.1.0. The owner's full name, as of the opportunity's last change (see SalesforceLead's ownerName). */
    ownerName: z.string().nullable().optional(),
    isClosed: z.boolean().nullable(),
    isWon: z.boolean().nullable(),
    /** Since 1.1.0. The user who created it. */
    createdById: z.string().nullable().optional(),
    createdDate: z.string().nullable(),
    lastModifiedDate: z.string().nullable(),
    systemModstamp: z.string()
});
export type SalesforceOpportunity = z.infer<typeof SalesforceOpportunity>;

/** Extra Salesforce fields by API name, e.g. `{ "Industry": "Retail", "Rating__c": 3 }`. */
export const SalesforceExtraFields = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]));
export type SalesforceExtraFields = z.infer<typeof SalesforceExtraFields>;

/**
 * create-lead's input, in our names like every action input (the keys of the SalesforceLead model). `lastName` and
 * `company` are required; they are optional here only so the first release's Salesforce spellings (`LastName`,
 * `Company`...) still validate: those are accepted, with a warning in the action's log, until callers move.
 */
export const CreateLeadInput = z.object({
    lastName: z.string().optional().describe('Required (or the deprecated LastName).'),
    company: z.string().optional().describe('Required (or the deprecated Company).'),
    firstName: z.string().optional(),
    email: z.string().optional(),
    phone: z.string().optional(),
    title: z.string().optional(),
    status: z.string().optional(),
    leadSource: z.string().optional(),
    /** @deprecated use lastName */
    LastName: z.string().optional().describe('Deprecated: use lastName.'),
    /** @deprecated use company */
    Company: z.string().optional().describe('Deprecated: use company.'),
    /** @deprecated use firstName */
    FirstName: z.string().optional().describe('Deprecated: use firstName.'),
    /** @deprecated use email */
    Email: z.string().optional().describe('Deprecated: use email.'),
    /** @deprecated use phone */
    Phone: z.string().optional().describe('Deprecated: use phone.'),
    /** @deprecated use title */
    Title: z.string().optional().describe('Deprecated: use title.'),
    /** @deprecated use status */
    Status: z.string().optional().describe('Deprecated: use status.'),
    /** @deprecated use leadSource */
    LeadSource: z.string().optional().describe('Deprecated: use leadSource.'),
    /** Further fields by Salesforce API name, sent as given. */
    extraFields: SalesforceExtraFields.optional(),
    /**
     * Your key for this lead (letters, digits, `_`, `-`, `:`; at most 255), stored in the connection's
     * `leadExternalIdField`: sending the same key again finds the lead already made instead of a duplicate.
     */
    idempotencyKey: z.string().optional()
});
export type CreateLeadInput = z.infer<typeof CreateLeadInput>;

export const SalesforceRecord = z.object({
    id: z.string(),
    success: z.boolean(),
    /** False when an idempotencyKey found the lead made by an earlier call (its fields were set again). */
    created: z.boolean(),
    /** The key fields of the created record, as sent. */
    fields: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]))
});
export type SalesforceRecord = z.infer<typeof SalesforceRecord>;

export const UpdateOpportunityInput = z.object({
    id: z.string(),
    name: z.string().optional(),
    amount: z.number().optional(),
    stageName: z.string().optional(),
    /** YYYY-MM-DD */
    closeDate: z.string().optional(),
    probability: z.number().optional(),
    nextStep: z.string().optional(),
    description: z.string().optional(),
    extraFields: SalesforceExtraFields.optional(),
    /**
     * The opportunity's lastModifiedDate as the caller last saw it (ISO 8601, e.g. from the SalesforceOpportunity
     * record): the update applies only if nobody changed the record since, otherwise a `conflict` error.
     */
    lastModifiedDate: z.string().optional()
});
export type UpdateOpportunityInput = z.infer<typeof UpdateOpportunityInput>;

export const UpdateOpportunityOutput = z.object({
    id: z.string(),
    success: z.boolean(),
    /** Salesforce API names of the fields that were sent. */
    updatedFields: z.array(z.string())
});
export type UpdateOpportunityOutput = z.infer<typeof UpdateOpportunityOutput>;

// ---------------------------------------------------------------------------------------------------------------
// google-calendar
// ---------------------------------------------------------------------------------------------------------------

/** A timed moment (`dateTime` + `timeZone`) or an all-day date (`date`, YYYY-MM-DD); exactly one is set. */
export const CalendarEventTime = z.object({
    dateTime: z.string().nullable(),
    date: z.string().nullable(),
    timeZone: z.string().nullable()
});
export type CalendarEventTime = z.infer<typeof CalendarEventTime>;

export const CalendarAttendee = z.object({
    email: z.string(),
    name: z.string().nullable(),
    responseStatus: z.string().nullable(),
    optional: z.boolean(),
    organizer: z.boolean(),
    self: z.boolean(),
    /** The note the attendee left with their answer. */
    comment: z.string().nullish()
});
export type CalendarAttendee = z.infer<typeof CalendarAttendee>;

/**
 * What kind of block an event is (Events resource, `eventType`): only `default` is a meeting or appointment;
 * `outOfOffice`, `focusTime` and `workingLocation` are the user's own status blocks, `birthday` an annual contact
 * date, `fromGmail` an event Gmail made from a message (a flight, a booking).
 */
export const CalendarEventType = z.enum(['default', 'outOfOffice', 'focusTime', 'workingLocation', 'birthday', 'fromGmail']);
export type CalendarEventType = z.infer<typeof CalendarEventType>;

export const CalendarReminders = z.object({
    /** The calendar's default reminders apply; `overrides` replace them otherwise. */
    useDefault: z.boolean(),
    overrides: z.array(z.object({ method: z.string(), minutes: z.number() }))
});
export type CalendarReminders = z.infer<typeof CalendarReminders>;

export const CalendarAttachment = z.object({
    fileUrl: z.string(),
    title: z.string().nullable(),
    mimeType: z.string().nullable(),
    /** The Drive file id, for Drive attachments. */
    fileId: z.string().nullable(),
    iconLink: z.string().nullable()
});
export type CalendarAttachment = z.infer<typeof CalendarAttachment>;

/** Key/value pairs apps store on an event: `private` to this copy of the event, `shared` with every attendee's copy. */
export const CalendarExtendedProperties = z.object({
    private: z.record(z.string(), z.string()),
    shared: z.record(z.string(), z.string())
});
export type CalendarExtendedProperties = z.infer<typeof CalendarExtendedProperties>;

/**
 * One event of a synced calendar. Recurring events are kept as Google keeps them: the series (its rules in
 * `recurrence`) and its exceptions (`recurringEventId` + `originalStartTime`), not expanded into instances.
 */
export const GoogleCalendarEvent = z.object({
    /**
     * `<calendarId>/<eventId>`: event ids are unique only within a calendar. When that exceeds Nango's 255
     * characters (client-chosen event ids may be 1024 long): `<calendarId>/~<sha256 hex of eventId>`.
     */
    id: z.string(),
    /** The calendar's real id (`primary` resolved to the user's address). */
    calendarId: z.string(),
    eventId: z.string(),
    /**
     * `confirmed` or `tentative`; `cancelled` only for a removed instance of a live recurring event (an exception
     * whose other fields may be null): leave that occurrence out when expanding the series.
     */
    status: z.string(),
    summary: z.string().nullable(),
    description: z.string().nullable(),
    location: z.string().nullable(),
    start: CalendarEventTime.nullable(),
    end: CalendarEventTime.nullable(),
    isAllDay: z.boolean(),
    /** RRULE / EXRULE / RDATE / EXDATE lines of a recurring event (the series); empty otherwise. */
    recurrence: z.array(z.string()),
    recurringEventId: z.string().nullable(),
    originalStartTime: CalendarEventTime.nullable(),
    organizer: EmailAddress.nullable(),
    attendees: z.array(CalendarAttendee),
    conferenceLink: z.string().nullable(),
    htmlLink: z.string().nullable(),
    created: z.string().nullable(),
    updated: z.string().nullable(),
    etag: z.string().nullable(),
    // The fields below came later: optional, so records cached before them still parse; the sync always sets them,
    // null where Google sends nothing (a cancelled event may carry only its id).
    /** Who created the event (may differ from the organizer, e.g. an assistant). */
    creator: EmailAddress.nullish(),
    /** RFC 5545 UID, shared by a series and all its instances and by the copies of an event on other calendars. */
    iCalUID: z.string().nullish(),
    /** iCalendar SEQUENCE: goes up when the time or recurrence changes (not on every edit). */
    sequence: z.number().int().nullish(),
    /** Null when Google sends a type this model does not know yet. */
    eventType: CalendarEventType.nullish(),
    /** `opaque` blocks time (busy), `transparent` does not (free); `opaque` when Google leaves it out. */
    transparency: z.enum(['opaque', 'transparent']).nullish(),
    /** `default` (the calendar's setting) when Google leaves it out. */
    visibility: z.enum(['default', 'public', 'private', 'confidential']).nullish(),
    /** The reminders of the user whose calendar this is (not the organizer's). */
    reminders: CalendarReminders.nullish(),
    /** File attachments (Drive files or links); empty when none. */
    attachments: z.array(CalendarAttachment).nullish(),
    extendedProperties: CalendarExtendedProperties.nullish(),
    /** For `outOfOffice` events: how invitations that overlap the block are declined, and with what message. */
    outOfOffice: z.object({ autoDeclineMode: z.string().nullable(), declineMessage: z.string().nullable() }).nullish()
});
export type GoogleCalendarEvent = z.infer<typeof GoogleCalendarEvent>;

/**
 * One open notification channel (events.watch) on a synced calendar, as the scripts record it to stop or renew it:
 * Google's channel id and resource id, the resource URI its messages name, and when it expires (ms since the epoch).
 */
export const GoogleCalendarPushChannel = z.object({
    id: z.string(),
    resourceId: z.string(),
    resourceUri: z.string(),
    calendarId: z.string(),
    expiration: z.number().int()
});
export type GoogleCalendarPushChannel = z.infer<typeof GoogleCalendarPushChannel>;

/**
 * Connection metadata read by the `events` sync: which calendars to sync. `calendarIds` names them (`primary` is the
 * user's own; holiday and shared calendars by their ids); `allCalendars: true` takes every calendar in the user's
 * calendar list instead. `backfillDays` (default 365) bounds the first listing of a calendar to events that end at
 * most that many days ago. Strict: an unknown key (a typo such as `calendarId`) is refused, not ignored.
 *
 * Push: `pushAddress` (the integration's Nango webhook URL) turns it on. The `googleCalendar*` keys are written by
 * the scripts, never by hand: the channel token (the connection's secret, checked on every message), the open
 * channels, and `googleCalendarWatchResourceUris`, the key Nango's webhook routing matches a message's
 * X-Goog-Resource-URI against (NangoHQ/nango packages/server/lib/webhook/google-calendar-webhook-routing.ts).
 * `emailAddress` and `email` are Nango's documented fallback routing keys for connections made before it stored
 * `connection_config.emailAddressHash` (docs/api-integrations/google-calendar/webhooks.mdx); they are accepted so
 * setting them does not fail the sync.
 */
export const GoogleCalendarEventsMetadata = z.strictObject({
    calendarIds: z
        .array(z.string().trim().min(1, 'a calendar id cannot be empty'))
        .min(1, 'name at least one calendar (e.g. ["primary"]), or set allCalendars: true instead')
        .optional(),
    allCalendars: z.boolean().optional(),
    backfillDays: z.number().int('a whole number of days').min(1).max(3650).optional(),
    pushAddress: z
        .url({ protocol: /^https$/, error: "Nango's webhook URL, https://... (Google sends push only to HTTPS addresses)" })
        .optional(),
    googleCalendarChannelToken: z.string().min(32).max(256).optional(),
    googleCalendarChannels: z.array(GoogleCalendarPushChannel).optional(),
    googleCalendarWatchResourceUris: z.array(z.string()).optional(),
    emailAddress: z.string().optional(),
    email: z.string().optional()
});
export type GoogleCalendarEventsMetadata = z.infer<typeof GoogleCalendarEventsMetadata>;

export const EventTimeInput = z.object({
    /** RFC 3339 date-time, for a timed event. */
    dateTime: z.string().optional(),
    /** IANA time zone name, e.g. `Europe/Paris`. */
    timeZone: z.string().optional(),
    /** YYYY-MM-DD, for an all-day event (the end date is exclusive, as in Google Calendar). */
    date: z.string().optional()
});
export type EventTimeInput = z.infer<typeof EventTimeInput>;

export const EventAttendeeInput = z.object({
    email: z.string(),
    name: z.string().optional(),
    optional: z.boolean().optional()
});
export type EventAttendeeInput = z.infer<typeof EventAttendeeInput>;

export const EventRemindersInput = z.object({
    useDefault: z.boolean(),
    overrides: z.array(z.object({ method: z.enum(['email', 'popup']), minutes: z.number() })).optional()
});
export type EventRemindersInput = z.infer<typeof EventRemindersInput>;

export const SendUpdates = z.enum(['all', 'externalOnly', 'none']);
export type SendUpdates = z.infer<typeof SendUpdates>;

export const CreateEventInput = z.object({
    calendarId: z.string().optional(),
    /** Optional client-chosen id (base32hex, 5-1024 chars); derived from the input when omitted. */
    eventId: z.string().optional(),
    summary: z.string(),
    description: z.string().optional(),
    location: z.string().optional(),
    start: EventTimeInput,
    end: EventTimeInput,
    attendees: z.array(EventAttendeeInput).optional(),
    recurrence: z.array(z.string()).optional(),
    reminders: EventRemindersInput.optional(),
    addGoogleMeet: z.boolean().optional(),
    sendUpdates: SendUpdates.optional()
});
export type CreateEventInput = z.infer<typeof CreateEventInput>;

/** Any subset of the create fields; `etag` makes the update conditional on the event being unchanged since. */
export const UpdateEventInput = CreateEventInput.partial().extend({
    /** The event to update (an instance of a series by its instance id, `<seriesId>_<start>`). */
    eventId: z.string(),
    etag: z.string().optional()
});
export type UpdateEventInput = z.infer<typeof UpdateEventInput>;
