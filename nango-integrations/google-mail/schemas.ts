/**
 * Zod schemas of the Gmail and People API answers the google-mail scripts read, with the providers' field names.
 * Each answer is parsed here, at the boundary, before any mapping. They follow `@googleapis/gmail` and
 * `@googleapis/people`; the compile-time checks at the end (`SchemaChecks`) refuse a field name those types lack.
 * Names carry the provider's prefix (`GmailApiThread`, `PeoplePerson`); the models of models.ts have ours.
 *
 * Gmail: https://developers.google.com/workspace/gmail/api/reference/rest
 * People: https://developers.google.com/people/api/rest/v1/people.connections/list
 */
import { z } from 'zod';
import type { gmail_v1 } from '@googleapis/gmail';
import type { people_v1 } from '@googleapis/people';

// ------------------------------------------------------------------------------------------------------------------
// Gmail
// ------------------------------------------------------------------------------------------------------------------

export const GmailHeader = z.object({ name: z.string(), value: z.string() });
export type GmailHeader = z.infer<typeof GmailHeader>;

export const GmailMessagePartBody = z.object({
    attachmentId: z.string().nullish(),
    data: z.string().nullish(),
    size: z.number().nullish()
});

export interface GmailMessagePart {
    partId?: string | null | undefined;
    mimeType?: string | null | undefined;
    filename?: string | null | undefined;
    headers?: GmailHeader[] | null | undefined;
    body?: z.infer<typeof GmailMessagePartBody> | null | undefined;
    parts?: GmailMessagePart[] | null | undefined;
}

export const GmailMessagePart: z.ZodType<GmailMessagePart> = z.object({
    partId: z.string().nullish(),
    mimeType: z.string().nullish(),
    filename: z.string().nullish(),
    headers: z.array(GmailHeader).nullish(),
    body: GmailMessagePartBody.nullish(),
    get parts() {
        return z.array(GmailMessagePart).nullish();
    }
});

/** A message of `threads.get?format=full`: the fields we cannot do without are required, so a broken one is skipped. */
export const GmailApiMessage = z.object({
    id: z.string().min(1),
    threadId: z.string().min(1),
    historyId: z.string().min(1),
    internalDate: z.string().regex(/^\d+$/),
    labelIds: z.array(z.string()).nullish(),
    snippet: z.string().nullish(),
    sizeEstimate: z.number().nullish(),
    payload: GmailMessagePart
});
export type GmailApiMessage = z.infer<typeof GmailApiMessage>;

/** `threads.get`: messages are parsed one by one (GmailApiMessage) so one bad message does not lose the thread. */
export const GmailApiThread = z.object({
    id: z.string().min(1),
    historyId: z.string().nullish(),
    snippet: z.string().nullish(),
    messages: z.array(z.unknown()).nullish()
});
export type GmailApiThread = z.infer<typeof GmailApiThread>;

export const GmailThreadsListResponse = z.object({
    threads: z.array(z.object({ id: z.string().min(1), historyId: z.string().nullish(), snippet: z.string().nullish() })).nullish(),
    nextPageToken: z.string().nullish(),
    resultSizeEstimate: z.number().nullish()
});
export type GmailThreadsListResponse = z.infer<typeof GmailThreadsListResponse>;

const GmailMessageRef = z.object({ id: z.string(), threadId: z.string() });
const GmailHistoryMessageChange = z.object({ message: GmailMessageRef });
const GmailHistoryLabelChange = z.object({ message: GmailMessageRef, labelIds: z.array(z.string()).nullish() });

export const GmailHistory = z.object({
    id: z.string(),
    messages: z.array(GmailMessageRef).nullish(),
    messagesAdded: z.array(GmailHistoryMessageChange).nullish(),
    messagesDeleted: z.array(GmailHistoryMessageChange).nullish(),
    labelsAdded: z.array(GmailHistoryLabelChange).nullish(),
    labelsRemoved: z.array(GmailHistoryLabelChange).nullish()
});
export type GmailHistory = z.infer<typeof GmailHistory>;

export const GmailHistoryListResponse = z.object({
    history: z.array(GmailHistory).nullish(),
    historyId: z.string(),
    nextPageToken: z.string().nullish()
});
export type GmailHistoryListResponse = z.infer<typeof GmailHistoryListResponse>;

export const GmailProfile = z.object({
    emailAddress: z.string(),
    historyId: z.string(),
    messagesTotal: z.number().nullish(),
    threadsTotal: z.number().nullish()
});
export type GmailProfile = z.infer<typeof GmailProfile>;

/** users.watch: the mailbox's history id when the watch starts and when Gmail ends it (epoch ms, as a string). */
export const GmailWatchResponse = z.object({
    historyId: z.string(),
    expiration: z.string().regex(/^\d+$/)
});
export type GmailWatchResponse = z.infer<typeof GmailWatchResponse>;

/**
 * What `onWebhook` receives for a Gmail push: the Pub/Sub push body (wrapped delivery,
 * https://cloud.google.com/pubsub/docs/push) to which Nango adds `type: '*'`, `emailAddress` and
 * `emailAddressHash` (NangoHQ/nango packages/server/lib/webhook/gmail-webhook-routing.ts). Only what we read is checked.
 */
export const PubSubGmailPush = z.object({
    message: z.object({ data: z.string(), messageId: z.string().nullish(), publishTime: z.string().nullish() }),
    subscription: z.string().nullish()
});
export type PubSubGmailPush = z.infer<typeof PubSubGmailPush>;

/**
 * The push's `message.data`, decoded: the mailbox and its history id after the change
 * (https://developers.google.com/workspace/gmail/api/guides/push). Gmail writes the id as a JSON number, the API's
 * other answers as a string: both are read, and kept as a string (ids pass 2^53 in old mailboxes).
 */
export const GmailPushData = z.object({
    emailAddress: z.string(),
    historyId: z.union([z.string().regex(/^\d+$/), z.number().int().nonnegative()]).transform(String)
});
export type GmailPushData = z.infer<typeof GmailPushData>;

/** `messages.get?format=metadata`: headers only, no bodies. */
export const GmailMessageMetadata = z.object({
    id: z.string(),
    threadId: z.string(),
    labelIds: z.array(z.string()).nullish(),
    payload: z.object({ headers: z.array(GmailHeader).nullish() }).nullish()
});
export type GmailMessageMetadata = z.infer<typeof GmailMessageMetadata>;

/** `threads.get?format=metadata`: each message with the requested headers, no bodies. */
export const GmailThreadMetadata = z.object({
    id: z.string(),
    messages: z
        .array(
            z.object({
                id: z.string(),
                threadId: z.string().nullish(),
                labelIds: z.array(z.string()).nullish(),
                internalDate: z.string().nullish(),
                payload: z.object({ headers: z.array(GmailHeader).nullish() }).nullish()
            })
        )
        .nullish()
});
export type GmailThreadMetadata = z.infer<typeof GmailThreadMetadata>;

/** `messages.list`: ids only. */
export const GmailMessagesListResponse = z.object({
    messages: z.array(z.object({ id: z.string().min(1), threadId: z.string().min(1) })).nullish(),
    nextPageToken: z.string().nullish(),
    resultSizeEstimate: z.number().nullish()
});
export type GmailMessagesListResponse = z.infer<typeof GmailMessagesListResponse>;

/** What a backfill checks of a messages.get answer before reading it as a thread of one (the mapper parses the rest). */
export const GmailMessageThreadRef = z.object({ id: z.string().min(1), threadId: z.string().min(1), historyId: z.string().nullish() });

/** `messages.send`, and `messages.get?format=minimal` (the same three fields, and more we do not read). */
export const GmailSendResponse = z.object({
    id: z.string(),
    threadId: z.string(),
    labelIds: z.array(z.string()).nullish()
});
export type GmailSendResponse = z.infer<typeof GmailSendResponse>;

// ------------------------------------------------------------------------------------------------------------------
// People
// ------------------------------------------------------------------------------------------------------------------

const PeopleFieldMetadata = z.object({ primary: z.boolean().nullish() });

export const PeoplePerson = z.object({
    resourceName: z.string().min(1),
    etag: z.string().nullish(),
    metadata: z
        .object({
            deleted: z.boolean().nullish(),
            sources: z.array(z.object({ type: z.string().nullish(), id: z.string().nullish(), updateTime: z.string().nullish() })).nullish()
        })
        .nullish(),
    names: z
        .array(
            z.object({
                displayName: z.string().nullish(),
                givenName: z.string().nullish(),
                familyName: z.string().nullish(),
                metadata: PeopleFieldMetadata.nullish()
            })
        )
        .nullish(),
    emailAddresses: z
        .array(z.object({ value: z.string().nullish(), type: z.string().nullish(), metadata: PeopleFieldMetadata.nullish() }))
        .nullish(),
    phoneNumbers: z
        .array(
            z.object({
                value: z.string().nullish(),
                canonicalForm: z.string().nullish(),
                type: z.string().nullish(),
                metadata: PeopleFieldMetadata.nullish()
            })
        )
        .nullish(),
    organizations: z
        .array(
            z.object({
                name: z.string().nullish(),
                title: z.string().nullish(),
                department: z.string().nullish(),
                metadata: PeopleFieldMetadata.nullish()
            })
        )
        .nullish(),
    photos: z
        .array(z.object({ url: z.string().nullish(), default: z.boolean().nullish(), metadata: PeopleFieldMetadata.nullish() }))
        .nullish()
});
export type PeoplePerson = z.infer<typeof PeoplePerson>;

export const PeopleConnectionsResponse = z.object({
    connections: z.array(z.unknown()).nullish(),
    nextPageToken: z.string().nullish(),
    nextSyncToken: z.string().nullish(),
    totalPeople: z.number().nullish(),
    totalItems: z.number().nullish()
});
export type PeopleConnectionsResponse = z.infer<typeof PeopleConnectionsResponse>;

// Compile-time checks: every field we parse is named as in the official types (@googleapis/gmail, @googleapis/people),
// so a misspelt field, at the top of an answer or inside an array item or a nested object, fails to compile
// (tests/google-mail/schemas.typecheck.ts proves it). Keys only: with exactOptionalPropertyTypes zod's
// `?: T | null | undefined` is not assignable to the official `?: T | null`.
export type KeysOf<Official, Ours extends object> = [keyof Ours] extends [keyof Official]
    ? true
    : { unknownFields: Exclude<keyof Ours, keyof Official> };
export type True<T extends true> = T;
/** The item type of an optional array field (`X[] | null | undefined` gives `X`). */
export type Item<T> = NonNullable<T> extends readonly (infer U)[] ? U : never;
type Nested<T> = NonNullable<T>;
export type SchemaChecks = [
    True<KeysOf<gmail_v1.Schema$Profile, GmailProfile>>,
    True<KeysOf<gmail_v1.Schema$ListHistoryResponse, GmailHistoryListResponse>>,
    True<KeysOf<gmail_v1.Schema$History, Item<GmailHistoryListResponse['history']>>>,
    True<KeysOf<gmail_v1.Schema$Message, Item<GmailHistory['messages']>>>,
    True<KeysOf<gmail_v1.Schema$HistoryMessageAdded, Item<GmailHistory['messagesAdded']>>>,
    True<KeysOf<gmail_v1.Schema$HistoryMessageDeleted, Item<GmailHistory['messagesDeleted']>>>,
    True<KeysOf<gmail_v1.Schema$HistoryLabelAdded, Item<GmailHistory['labelsAdded']>>>,
    True<KeysOf<gmail_v1.Schema$HistoryLabelRemoved, Item<GmailHistory['labelsRemoved']>>>,
    True<KeysOf<gmail_v1.Schema$Message, Item<GmailHistory['labelsAdded']>['message']>>,
    True<KeysOf<gmail_v1.Schema$ListThreadsResponse, GmailThreadsListResponse>>,
    True<KeysOf<gmail_v1.Schema$Thread, Item<GmailThreadsListResponse['threads']>>>,
    True<KeysOf<gmail_v1.Schema$Thread, GmailApiThread>>,
    True<KeysOf<gmail_v1.Schema$MessagePart, GmailMessagePart>>,
    True<KeysOf<gmail_v1.Schema$MessagePartHeader, Item<GmailMessagePart['headers']>>>,
    True<KeysOf<gmail_v1.Schema$MessagePartBody, Nested<GmailMessagePart['body']>>>,
    True<KeysOf<gmail_v1.Schema$Message, GmailApiMessage>>,
    True<KeysOf<gmail_v1.Schema$Message, GmailMessageMetadata>>,
    True<KeysOf<gmail_v1.Schema$MessagePart, Nested<GmailMessageMetadata['payload']>>>,
    True<KeysOf<gmail_v1.Schema$Thread, GmailThreadMetadata>>,
    True<KeysOf<gmail_v1.Schema$Message, Item<GmailThreadMetadata['messages']>>>,
    True<KeysOf<gmail_v1.Schema$MessagePart, Nested<Item<GmailThreadMetadata['messages']>['payload']>>>,
    True<KeysOf<gmail_v1.Schema$ListMessagesResponse, GmailMessagesListResponse>>,
    True<KeysOf<gmail_v1.Schema$Message, Item<GmailMessagesListResponse['messages']>>>,
    True<KeysOf<gmail_v1.Schema$Message, GmailSendResponse>>,
    True<KeysOf<gmail_v1.Schema$WatchResponse, GmailWatchResponse>>,
    True<KeysOf<people_v1.Schema$ListConnectionsResponse, PeopleConnectionsResponse>>,
    True<KeysOf<people_v1.Schema$Person, PeoplePerson>>,
    True<KeysOf<people_v1.Schema$PersonMetadata, Nested<PeoplePerson['metadata']>>>,
    True<KeysOf<people_v1.Schema$Source, Item<Nested<PeoplePerson['metadata']>['sources']>>>,
    True<KeysOf<people_v1.Schema$Name, Item<PeoplePerson['names']>>>,
    True<KeysOf<people_v1.Schema$FieldMetadata, Nested<Item<PeoplePerson['names']>['metadata']>>>,
    True<KeysOf<people_v1.Schema$EmailAddress, Item<PeoplePerson['emailAddresses']>>>,
    True<KeysOf<people_v1.Schema$PhoneNumber, Item<PeoplePerson['phoneNumbers']>>>,
    True<KeysOf<people_v1.Schema$Organization, Item<PeoplePerson['organizations']>>>,
    True<KeysOf<people_v1.Schema$Photo, Item<PeoplePerson['photos']>>>
];
