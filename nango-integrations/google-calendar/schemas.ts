/**
 * Calendar API responses as the scripts read them, with Google's field names
 * (https://developers.google.com/workspace/calendar/api/v3/reference). Everything but ids is optional: a deleted
 * event in a list is "only guaranteed to have the id field populated".
 */
import { z } from 'zod';

export const CalendarEventDateTime = z.object({
    date: z.string().nullish(),
    dateTime: z.string().nullish(),
    timeZone: z.string().nullish()
});
export type CalendarEventDateTime = z.infer<typeof CalendarEventDateTime>;

const CalendarPerson = z.object({
    email: z.string().nullish(),
    displayName: z.string().nullish(),
    self: z.boolean().nullish()
});

export const CalendarEventAttendee = CalendarPerson.extend({
    responseStatus: z.string().nullish(),
    comment: z.string().nullish(),
    optional: z.boolean().nullish(),
    organizer: z.boolean().nullish(),
    resource: z.boolean().nullish()
});

export const CalendarEventResource = z.object({
    id: z.string(),
    etag: z.string().nullish(),
    status: z.string().nullish(),
    summary: z.string().nullish(),
    description: z.string().nullish(),
    location: z.string().nullish(),
    start: CalendarEventDateTime.nullish(),
    end: CalendarEventDateTime.nullish(),
    recurrence: z.array(z.string()).nullish(),
    recurringEventId: z.string().nullish(),
    originalStartTime: CalendarEventDateTime.nullish(),
    organizer: CalendarPerson.nullish(),
    attendees: z.array(CalendarEventAttendee).nullish(),
    creator: CalendarPerson.nullish(),
    iCalUID: z.string().nullish(),
    sequence: z.number().nullish(),
    /** default, outOfOffice, focusTime, workingLocation, birthday, fromGmail; Google may add more. */
    eventType: z.string().nullish(),
    outOfOfficeProperties: z.object({ autoDeclineMode: z.string().nullish(), declineMessage: z.string().nullish() }).nullish(),
    transparency: z.string().nullish(),
    visibility: z.string().nullish(),
    hangoutLink: z.string().nullish(),
    /** Meet (`hangoutsMeet`) or a third-party add-on (`addOn`, e.g. Zoom), told apart by `conferenceSolution.key.type`. */
    conferenceData: z
        .object({
            conferenceSolution: z.object({ key: z.object({ type: z.string().nullish() }).nullish(), name: z.string().nullish() }).nullish(),
            entryPoints: z.array(z.object({ entryPointType: z.string().nullish(), uri: z.string().nullish() })).nullish()
        })
        .nullish(),
    attachments: z
        .array(
            z.object({
                fileUrl: z.string().nullish(),
                title: z.string().nullish(),
                mimeType: z.string().nullish(),
                fileId: z.string().nullish(),
                iconLink: z.string().nullish()
            })
        )
        .nullish(),
    extendedProperties: z
        .object({ private: z.record(z.string(), z.string()).nullish(), shared: z.record(z.string(), z.string()).nullish() })
        .nullish(),
    reminders: z
        .object({
            useDefault: z.boolean().nullish(),
            overrides: z.array(z.object({ method: z.string().nullish(), minutes: z.number().nullish() })).nullish()
        })
        .nullish(),
    htmlLink: z.string().nullish(),
    created: z.string().nullish(),
    updated: z.string().nullish()
});
export type CalendarEventResource = z.infer<typeof CalendarEventResource>;

/** events.list: items are checked one by one (see `eventPages` in pages.ts), the envelope here. */
export const CalendarEventsPage = z.object({
    items: z.array(z.unknown()).nullish(),
    nextPageToken: z.string().nullish(),
    nextSyncToken: z.string().nullish()
});
export type CalendarEventsPage = z.infer<typeof CalendarEventsPage>;

export const CalendarListPage = z.object({
    items: z
        .array(
            z.object({
                id: z.string(),
                accessRole: z.string().nullish(),
                primary: z.boolean().nullish(),
                deleted: z.boolean().nullish()
            })
        )
        .nullish(),
    nextPageToken: z.string().nullish()
});
export type CalendarListPage = z.infer<typeof CalendarListPage>;

export const CalendarResource = z.object({
    id: z.string(),
    timeZone: z.string().nullish()
});

/**
 * What events.watch answers (https://developers.google.com/workspace/calendar/api/v3/reference/events/watch):
 * `expiration` is an int64, which Google's JSON carries as a string.
 */
export const CalendarChannelResource = z.object({
    id: z.string(),
    resourceId: z.string(),
    resourceUri: z.string(),
    expiration: z.union([z.string().regex(/^\d+$/), z.number().int()]).transform(Number)
});
export type CalendarChannelResource = z.infer<typeof CalendarChannelResource>;
