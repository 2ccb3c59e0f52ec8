import { createHash } from 'node:crypto';
import type { Random } from '../common/random.js';
import type { StoredAttendee, StoredCalendar, StoredEvent } from './model.js';
import { decorateSeed } from './shapes.js';
import { base32hex, meetCode, type CalendarStore, type NewEvent } from './store.js';
import { DAY_MS, wallToInstant } from './time.js';

/**
 * A deterministic, realistic set of calendars for one user: a primary calendar, a team calendar, the US holiday
 * calendar (`en.usa#holiday@group.v.calendar.google.com`, read-only), a birthdays calendar
 * (`addressbook#contacts@group.v.calendar.google.com`) and more team calendars when asked. Events are timed (some
 * with their own time zone), all-day, recurring with modified and cancelled exceptions, already cancelled, with
 * attendees and Meet links, and the rarer shapes of `shapes.ts` (out-of-office blocks, add-on conferencing...). Every event lies within the last 300 days and the next 200, so a sync that backfills a
 * year sees all of them.
 */

export const SEED_USER = { email: 'alex.morgan@example.com', displayName: 'Alex Morgan' };
export const HOLIDAY_CALENDAR = 'en.usa#holiday@group.v.calendar.google.com';
export const BIRTHDAY_CALENDAR = 'addressbook#contacts@group.v.calendar.google.com';

const PEOPLE = [
    ['Jamie Chen', 'jamie.chen@example.com'],
    ['Priya Natarajan', 'priya.natarajan@example.com'],
    ['Lucas Ferreira', 'lucas.ferreira@example.com'],
    ['Sofia Rossi', 'sofia.rossi@partner.io'],
    ['Kwame Mensah', 'kwame.mensah@example.com'],
    ['Élodie Martin', 'elodie.martin@client.fr'],
    ['Hiro Tanaka', 'hiro.tanaka@example.com'],
    ['Maya Cohen', 'maya.cohen@vendor.co'],
    ['Ingrid Johansson', 'ingrid.johansson@example.com'],
    ['Omar Haddad', 'omar.haddad@client.fr']
] as const;
const TITLES = [
    '1:1',
    'Sprint planning',
    'Design review',
    'Customer call',
    'Roadmap sync',
    'Interview',
    'Lunch',
    'Budget review',
    'Retro',
    'Demo'
];
const PLACES = ['Room 4.12 "Ada"', 'HQ – Main auditorium', 'Café Lumière, 12 rue de la Paix', 'Zoom', 'Büro München, 3. OG'];
const ZONES = ['America/New_York', 'Europe/London', 'Europe/Paris', 'Asia/Tokyo', 'America/Los_Angeles'];
const RULES = [
    'RRULE:FREQ=WEEKLY;BYDAY=MO,WE,FR',
    'RRULE:FREQ=DAILY;COUNT=10',
    'RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TU',
    'RRULE:FREQ=MONTHLY;BYDAY=1MO',
    'RRULE:FREQ=WEEKLY;BYDAY=TH;COUNT=20',
    'RRULE:FREQ=MONTHLY;BYMONTHDAY=15'
];
const HOLIDAYS: [string, number, number][] = [
    ["New Year's Day", 1, 1],
    ['Independence Day', 7, 4],
    ['Veterans Day', 11, 11],
    ['Christmas Day', 12, 25],
    ['Juneteenth', 6, 19],
    ["Valentine's Day", 2, 14],
    ['Halloween', 10, 31]
];

export interface SeedOptions {
    events: number;
    calendars: number;
}

export function seedCalendars(store: CalendarStore, random: Random, options: SeedOptions): void {
    const now = store.now();
    const primary = store.addCalendar({
        id: store.user.email,
        summary: store.user.email,
        timeZone: 'America/New_York',
        accessRole: 'owner',
        primary: true,
        backgroundColor: '#9fe1e7',
        inList: true
    });
    const writable: StoredCalendar[] = [primary];
    const teamNames = ['Product Team', 'Family', 'On-call rota', 'Running club', 'Book club'];
    const count = Math.max(1, options.calendars);
    if (count >= 2) writable.push(addGroupCalendar(store, teamNames[0]!, 'writer', 'Europe/Paris'));
    const holidays =
        count >= 3 ? addReadOnly(store, HOLIDAY_CALENDAR, 'Holidays in United States', 'Public holidays and observances') : null;
    const birthdays = count >= 4 ? addReadOnly(store, BIRTHDAY_CALENDAR, 'Birthdays', 'Birthdays of your contacts') : null;
    for (let i = 4; i < count; i += 1)
        writable.push(addGroupCalendar(store, teamNames[(i - 3) % teamNames.length]!, 'owner', 'America/New_York'));

    let remaining = Math.max(0, options.events);
    if (holidays) remaining -= seedHolidays(store, holidays, now, Math.min(remaining, Math.max(3, Math.floor(options.events * 0.015))));
    if (birthdays)
        remaining -= seedBirthdays(store, birthdays, random, now, Math.min(remaining, Math.max(2, Math.floor(options.events * 0.02))));
    while (remaining > 0) {
        const calendar = random.chance(0.65) ? primary : random.pick(writable);
        remaining -= seedEvent(store, calendar, random, now, remaining);
    }
    decorateSeed(writable, random);
}

export function addGroupCalendar(store: CalendarStore, summary: string, role: 'owner' | 'writer', timeZone: string): StoredCalendar {
    store.idCounter += 1;
    const id = `c_${base32hex(createHash('sha256').update(`${summary}:${store.idCounter}`).digest()).slice(0, 32)}@group.calendar.google.com`;
    return store.addCalendar({ id, summary, timeZone, accessRole: role, primary: false, backgroundColor: '#f83a22', inList: true });
}

function addReadOnly(store: CalendarStore, id: string, summary: string, description: string): StoredCalendar {
    return store.addCalendar({
        id,
        summary,
        description,
        timeZone: 'America/New_York',
        accessRole: 'reader',
        primary: false,
        backgroundColor: '#16a765',
        inList: true
    });
}

function seedHolidays(store: CalendarStore, calendar: StoredCalendar, now: number, limit: number): number {
    let made = 0;
    const thisYear = new Date(now).getUTCFullYear();
    for (const year of [thisYear - 1, thisYear, thisYear + 1]) {
        for (const [name, month, day] of HOLIDAYS) {
            const start = Date.UTC(year, month - 1, day);
            if (start < now - 300 * DAY_MS || start > now + 200 * DAY_MS || made >= limit) continue;
            store.create(
                calendar,
                {
                    id: `${year}${String(month).padStart(2, '0')}${String(day).padStart(2, '0')}_${base32hex(Buffer.from(name)).slice(0, 16)}`,
                    status: 'confirmed',
                    summary: name,
                    description: 'Public holiday',
                    start: { ms: start, allDay: true },
                    end: { ms: start + DAY_MS, allDay: true },
                    organizer: { email: calendar.id, displayName: calendar.summary },
                    creator: calendar.id,
                    transparency: 'transparent',
                    visibility: 'public'
                },
                now - 400 * DAY_MS
            );
            made += 1;
        }
    }
    return made;
}

function seedBirthdays(store: CalendarStore, calendar: StoredCalendar, random: Random, now: number, limit: number): number {
    for (let i = 0; i < limit; i += 1) {
        const [name] = PEOPLE[i % PEOPLE.length]!;
        const day = Math.floor((now - random.int(10, 290) * DAY_MS) / DAY_MS) * DAY_MS;
        store.create(
            calendar,
            {
                id: store.newEventId(calendar),
                status: 'confirmed',
                summary: `${name}'s birthday`,
                start: { ms: day, allDay: true },
                end: { ms: day + DAY_MS, allDay: true },
                recurrence: ['RRULE:FREQ=YEARLY'],
                organizer: { email: calendar.id, displayName: calendar.summary },
                creator: calendar.id,
                transparency: 'transparent',
                visibility: 'private',
                eventType: 'birthday'
            },
            now - random.int(300, 400) * DAY_MS
        );
    }
    return limit;
}

/** One event (or a recurring event with its exceptions); returns how many stored events it made. */
function seedEvent(store: CalendarStore, calendar: StoredCalendar, random: Random, now: number, budget: number): number {
    const roll = random.next();
    if (roll < 0.1 && budget >= 3) return seedRecurring(store, calendar, random, now, budget);
    const allDay = roll > 0.85;
    const base = allDay ? allDayFields(random, now) : timedFields(random, now, calendar.timeZone);
    const fields: NewEvent = {
        ...base,
        ...meetingFields(store, calendar, random, !allDay),
        id: store.newEventId(calendar),
        status: 'confirmed'
    };
    const created = Math.min(now - DAY_MS, fields.start.ms - random.int(1, 30) * DAY_MS);
    const event = store.create(calendar, fields, created);
    if (random.chance(0.05)) store.cancel(calendar, event, created + DAY_MS / 2);
    else if (random.chance(0.2)) {
        event.summary = `${event.summary ?? 'Event'} (updated)`;
        store.touch(calendar, event, created + DAY_MS / 3);
    }
    return 1;
}

function seedRecurring(store: CalendarStore, calendar: StoredCalendar, random: Random, now: number, budget: number): number {
    const zone = random.chance(0.7) ? calendar.timeZone : random.pick(ZONES);
    const day = Math.floor((now - random.int(30, 290) * DAY_MS) / DAY_MS) * DAY_MS;
    const startWall = day + random.int(8, 17) * 3_600_000;
    const start = wallToInstant(startWall, zone);
    const duration = random.pick([30, 45, 60]) * 60_000;
    const fields: NewEvent = {
        id: store.newEventId(calendar),
        status: 'confirmed',
        summary: `Weekly ${random.pick(TITLES)}`,
        start: { ms: start, allDay: false, timeZone: zone },
        end: { ms: start + duration, allDay: false, timeZone: zone },
        recurrence: [random.pick(RULES)],
        ...meetingFields(store, calendar, random, true)
    };
    const created = start - 7 * DAY_MS;
    const master = store.create(calendar, fields, created);
    let made = 1;
    const upcoming = store.instanceStarts(calendar, master, start, now + 60 * DAY_MS);
    const slots = Math.min(upcoming.length, budget - 1, random.int(1, 2));
    for (let i = 0; i < slots; i += 1) {
        const at = upcoming[random.int(0, upcoming.length - 1)]!;
        const instance = store.instance(master, at);
        if (store.stored(calendar, instance.id)) continue;
        const exception = store.materialize(calendar, instance);
        if (random.chance(0.4)) store.cancel(calendar, exception, exception.created);
        else {
            exception.summary = `${master.summary ?? ''} (moved)`;
            exception.start = { ...exception.start, ms: exception.start.ms + 3_600_000 };
            exception.end = { ...exception.end, ms: exception.end.ms + 3_600_000 };
            exception.sequence += 1;
            store.touch(calendar, exception, exception.created);
        }
        made += 1;
    }
    return made;
}

function timedFields(random: Random, now: number, calendarZone: string): Pick<StoredEvent, 'start' | 'end'> {
    const ownZone = random.chance(0.6);
    const zone = ownZone ? random.pick(ZONES) : calendarZone;
    const day = Math.floor((now + random.int(-290, 190) * DAY_MS) / DAY_MS) * DAY_MS;
    const wall = day + random.int(16, 36) * 1_800_000;
    const start = wallToInstant(wall, zone);
    const end = start + random.pick([30, 45, 60, 90]) * 60_000;
    const timeZone = ownZone ? { timeZone: zone } : {};
    return { start: { ms: start, allDay: false, ...timeZone }, end: { ms: end, allDay: false, ...timeZone } };
}

function allDayFields(random: Random, now: number): Pick<StoredEvent, 'start' | 'end'> {
    const day = Math.floor((now + random.int(-290, 190) * DAY_MS) / DAY_MS) * DAY_MS;
    return { start: { ms: day, allDay: true }, end: { ms: day + random.int(1, 3) * DAY_MS, allDay: true } };
}

function meetingFields(
    store: CalendarStore,
    calendar: StoredCalendar,
    random: Random,
    timed: boolean
): Omit<NewEvent, 'id' | 'status' | 'start' | 'end'> {
    const invited = calendar.primary && timed && random.chance(0.12);
    const organizerPerson = random.pick(PEOPLE);
    const organizer = invited ? { email: organizerPerson[1], displayName: organizerPerson[0] } : store.organizerFor(calendar);
    const out: Omit<NewEvent, 'id' | 'status' | 'start' | 'end'> = {
        summary: random.pick(TITLES),
        organizer,
        creator: invited ? organizer.email : store.user.email
    };
    if (random.chance(0.3))
        out.description = 'Agenda:\n• Status\n• Risks & next steps\n\nNotes: https://docs.example.com/d/' + random.string(12);
    if (random.chance(0.3)) out.location = random.pick(PLACES);
    if (timed && (invited || random.chance(0.4))) {
        const attendees: StoredAttendee[] = [];
        const people = new Set<number>();
        const size = random.int(1, 5);
        for (let i = 0; i < size; i += 1) people.add(random.int(0, PEOPLE.length - 1));
        for (const p of people) {
            const [name, email] = PEOPLE[p]!;
            if (email === organizer.email) continue;
            attendees.push({
                email,
                ...(random.chance(0.7) ? { displayName: name } : {}),
                responseStatus: random.pick(['needsAction', 'accepted', 'accepted', 'declined', 'tentative'] as const),
                ...(random.chance(0.15) ? { optional: true } : {})
            });
        }
        attendees.push({
            email: organizer.email,
            ...(organizer.displayName ? { displayName: organizer.displayName } : {}),
            organizer: true,
            responseStatus: 'accepted'
        });
        if (invited)
            attendees.push({
                email: store.user.email,
                self: true,
                responseStatus: random.pick(['needsAction', 'accepted', 'tentative'] as const)
            });
        out.attendees = attendees;
        if (random.chance(0.5)) {
            const requestId = random.string(16);
            out.conference = { code: meetCode(calendar.id, requestId), requestId };
        }
    }
    if (random.chance(0.2)) out.reminders = { useDefault: false, overrides: [{ method: 'popup', minutes: random.pick([5, 10, 30]) }] };
    return out;
}
