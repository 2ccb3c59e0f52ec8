/**
 * The simulator's own compact records. Events are kept in this form (numbers for times, optional fields left out)
 * so a 100k-event calendar stays small; `render.ts` turns them into Calendar's JSON.
 */

/** A timed moment (`ms` is the instant) or an all-day date (`ms` is UTC midnight of the date). */
export interface EventTime {
    ms: number;
    allDay: boolean;
    /** The IANA zone the client gave; recurring timed events repeat in it. */
    timeZone?: string;
}

export interface StoredAttendee {
    email: string;
    displayName?: string;
    responseStatus: 'needsAction' | 'declined' | 'tentative' | 'accepted';
    optional?: boolean;
    organizer?: boolean;
    self?: boolean;
    /** The note left with the answer. */
    comment?: string;
}

export interface StoredReminders {
    useDefault: boolean;
    overrides?: { method: string; minutes: number }[];
}

export type EventStatus = 'confirmed' | 'tentative' | 'cancelled';

/** Events resource `eventType`; `default` is left out of the stored record. */
export type EventType = 'default' | 'outOfOffice' | 'focusTime' | 'workingLocation' | 'birthday' | 'fromGmail';

/** A third-party conference (conferenceSolution.key.type `addOn`), e.g. the Zoom add-on. */
export interface AddOnConference {
    name: string;
    /** The add-on's own id (`conferenceSolution.key` of an add-on is only `addOn`; the add-on is told by its name). */
    conferenceId: string;
    uri: string;
}

export interface StoredAttachment {
    fileUrl: string;
    title: string;
    mimeType: string;
    fileId?: string;
    iconLink?: string;
}

export interface StoredEvent {
    id: string;
    /** Creation order within the calendar: full listings page by it, so a page boundary never moves. */
    index: number;
    status: EventStatus;
    summary?: string;
    description?: string;
    location?: string;
    start: EventTime;
    end: EventTime;
    recurrence?: string[];
    /** Set on exceptions (modified or cancelled instances of a recurring event). */
    recurringEventId?: string;
    originalStart?: EventTime;
    organizer: { email: string; displayName?: string };
    creator: string;
    attendees?: StoredAttendee[];
    /** A Google Meet conference: its code (`abc-defg-hij`) and the createRequest id that made it. */
    conference?: { code: string; requestId: string };
    addOnConference?: AddOnConference;
    eventType?: EventType;
    outOfOffice?: { autoDeclineMode: string; declineMessage?: string };
    attachments?: StoredAttachment[];
    extendedProperties?: { private?: Record<string, string>; shared?: Record<string, string> };
    reminders?: StoredReminders;
    transparency?: 'opaque' | 'transparent';
    visibility?: 'default' | 'public' | 'private' | 'confidential';
    created: number;
    updated: number;
    /** Rendered as `"<etag>"`; strictly increasing, so every change gives a new etag. */
    etag: number;
    /** iCalendar SEQUENCE: bumped when the time or recurrence changes. */
    sequence: number;
    /** Position of the event's latest change in its calendar's change log. */
    changeSeq: number;
}

export type AccessRole = 'owner' | 'writer' | 'reader' | 'freeBusyReader';

export interface StoredCalendar {
    id: string;
    summary: string;
    description?: string;
    timeZone: string;
    accessRole: AccessRole;
    primary: boolean;
    backgroundColor: string;
    /** In the user's calendar list (calendarList.list); a calendar can be unsubscribed and still exist. */
    inList: boolean;
    events: StoredEvent[];
    /**
     * The change log: `changeLog[seq - 1]` is the index of the event changed at position `seq`. A sync token is a
     * position in it; an incremental listing returns events whose latest change lies after that position.
     */
    changeLog: number[];
    /** Bumped when the calendar's sync tokens are invalidated (410 for every token issued before). */
    epoch: number;
    /** When the calendar last changed (the list answer's `updated`). */
    updated: number;
}

/** A notification Google would have emailed because of `sendUpdates`. */
export interface SentNotification {
    calendarId: string;
    eventId: string;
    kind: 'invitation' | 'update' | 'cancellation';
    recipients: string[];
}

export interface CalendarUser {
    email: string;
    displayName: string;
}
