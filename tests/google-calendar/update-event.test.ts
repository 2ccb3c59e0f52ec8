import { http } from 'msw';
import { describe, expect, it } from 'vitest';
import type { GoogleCalendarEvent } from '../../models.js';
import { CALENDAR_BASE } from '../../simulators/calendar/index.js';
import { server } from '../support/msw.js';
import { create, expectInSync, failure, kickoff, storedEvents, testBed, type Bed } from './support.js';

describe('update-event', () => {
    async function seeded(bed: Bed) {
        return create(bed, { ...kickoff, addGoogleMeet: false, sendUpdates: 'none' });
    }

    it('patches only the given fields and returns the event with its new etag', async () => {
        const bed = testBed();
        const made = await seeded(bed);
        const result = await bed.action('update-event', { eventId: made.eventId, location: 'Room 9', sendUpdates: 'all' });
        expect(result.status).toBe('success');
        const output = (result as { output: GoogleCalendarEvent }).output;
        expect(output).toMatchObject({ ...made, location: 'Room 9', etag: output.etag, updated: output.updated });
        expect(output.etag).not.toBe(made.etag);
        expect(bed.sim.store.notifications.at(-1)).toMatchObject({ eventId: made.eventId, kind: 'update' });
    });

    it('checks a new end against the stored start, and adds a Meet link on request', async () => {
        const bed = testBed();
        const made = await seeded(bed);
        const early = await failure(bed, 'update-event', { eventId: made.eventId, end: { dateTime: '2026-02-03T09:00:00+01:00' } });
        expect(early.payload).toMatchObject({ type: 'invalid_input', field: 'end' });
        const later = await bed.action('update-event', {
            eventId: made.eventId,
            end: { dateTime: '2026-02-03T11:00:00+01:00' },
            addGoogleMeet: true
        });
        expect(later.status).toBe('success');
        expect((later as { output: GoogleCalendarEvent }).output).toMatchObject({
            // The same instant, with the calendar's offset (New York), as Google answers.
            end: { dateTime: '2026-02-03T05:00:00-05:00' },
            conferenceLink: expect.stringMatching(/^https:\/\/meet\.google\.com\//)
        });
    });

    it('applies a change made at the etag the caller read, and answers conflict with the current etag when it is stale', async () => {
        const bed = testBed();
        const made = await seeded(bed);
        const fresh = await bed.action('update-event', { eventId: made.eventId, etag: made.etag, summary: 'Kickoff (confirmed)' });
        expect(fresh.status).toBe('success');
        const current = (fresh as { output: GoogleCalendarEvent }).output.etag;
        const stale = await failure(bed, 'update-event', { eventId: made.eventId, etag: made.etag, summary: 'Kickoff (moved)' });
        expect(stale.payload).toMatchObject({
            type: 'conflict',
            currentEtag: current,
            current: { summary: 'Kickoff (confirmed)', etag: current }
        });
        expect(storedEvents(bed, 'Kickoff (confirmed)')).toHaveLength(1);
    });

    it('answers conflict when someone changes the event between the read and the write (412)', async () => {
        const bed = testBed();
        const made = await seeded(bed);
        const calendar = bed.sim.calendar('primary');
        server.use(
            http.patch(
                `${CALENDAR_BASE}/calendars/:calendarId/events/:eventId`,
                () => {
                    const event = bed.sim.store.stored(calendar, made.eventId)!;
                    event.description = 'edited by a colleague';
                    bed.sim.store.touch(calendar, event);
                },
                { once: true }
            )
        );
        const error = await failure(bed, 'update-event', { eventId: made.eventId, etag: made.etag, summary: 'Mine' });
        expect(error.payload).toMatchObject({
            type: 'conflict',
            currentEtag: `"${bed.sim.store.stored(calendar, made.eventId)!.etag}"`,
            current: { eventId: made.eventId, summary: kickoff.summary, description: 'edited by a colleague' }
        });
        expect(bed.sim.core.meter.get('events.patch').calls).toBe(1);
        expect(bed.sim.store.stored(calendar, made.eventId)!.summary).toBe(kickoff.summary);
    });

    it('sends a PATCH once: when its answer is lost, it fails saying the outcome is unknown, with or without an etag', async () => {
        for (const withEtag of [true, false]) {
            const bed = testBed();
            const made = await seeded(bed);
            bed.sim.core.faults.inject('events.patch', { kind: 'drop-response' });
            const error = await failure(bed, 'update-event', {
                eventId: made.eventId,
                summary: 'Kickoff, final',
                ...(withEtag ? { etag: made.etag } : {})
            });
            expect(error.payload, `etag: ${withEtag}`).toMatchObject({ type: 'outcome_unknown', eventId: made.eventId });
            expect(error.payload['message']).toMatch(/may or may not have been applied/);
            expect(bed.sim.core.meter.get('events.patch').calls, `etag: ${withEtag}`).toBe(1);
            // It was applied: what the caller finds on reading the event.
            expect(storedEvents(bed, 'Kickoff, final')).toHaveLength(1);
        }
    });

    it('does not overwrite an edit made after a lost answer: the caller retrying with its etag gets conflict', async () => {
        const bed = testBed();
        const made = await seeded(bed);
        bed.sim.core.faults.inject('events.patch', { kind: 'drop-response' });
        await failure(bed, 'update-event', { eventId: made.eventId, etag: made.etag, location: 'Room 9' });
        const calendar = bed.sim.calendar('primary');
        const event = bed.sim.store.stored(calendar, made.eventId)!;
        event.location = 'Room 12, moved by a colleague';
        bed.sim.store.touch(calendar, event);
        const retried = await failure(bed, 'update-event', { eventId: made.eventId, etag: made.etag, location: 'Room 9' });
        expect(retried.payload).toMatchObject({ type: 'conflict', current: { location: 'Room 12, moved by a colleague' } });
        expect(bed.sim.store.stored(calendar, made.eventId)!.location).toBe('Room 12, moved by a colleague');
    });

    it('refuses, before any call and naming the field, ids that cannot be event ids and control characters', async () => {
        const bed = testBed();
        const cases: [Record<string, unknown>, string][] = [
            [{ eventId: '' }, 'eventId'],
            [{ eventId: 'abc123/../def456' }, 'eventId'],
            [{ eventId: 'abc 123' }, 'eventId'],
            [{ eventId: 'abc123#x' }, 'eventId'],
            [{ eventId: 'a'.repeat(1200) }, 'eventId'],
            [{ eventId: 'abc123', calendarId: 'me @example.com' }, 'calendarId'],
            [{ eventId: 'abc123', summary: 'Tab\tin a title' }, 'summary'],
            [{ eventId: 'abc123', location: 'Room\u0000' }, 'location'],
            [{ eventId: 'abc123', description: 'Bell\u0007' }, 'description'],
            [{ eventId: 'abc123', start: { date: '0000-01-01' }, end: { date: '0000-01-02' } }, 'start.date']
        ];
        for (const [input, field] of cases) {
            const error = await failure(bed, 'update-event', input);
            expect(error.payload, JSON.stringify(input).slice(0, 80)).toMatchObject({ type: 'invalid_input', field });
            expect(error.calls, JSON.stringify(input).slice(0, 80)).toBe(0);
        }
    });

    it('takes ids Google makes: an instance id with its UTC start, an imported event id with a leading underscore', async () => {
        const bed = testBed();
        for (const eventId of ['abc123def456_20260115T090000Z', 'abc123def456_20260115', '_60q30c1g60o30e1i60o4ac1g60rj8gpl88rj2c1h']) {
            const error = await failure(bed, 'update-event', { eventId, summary: 'x' });
            expect(error.payload, eventId).toMatchObject({ type: 'not_found' });
        }
    });

    it('gives clear errors for a missing event and a cancelled one', async () => {
        const bed = testBed();
        const missing = await failure(bed, 'update-event', { eventId: 'nosuchevent1', summary: 'x' });
        expect(missing.payload).toMatchObject({ type: 'not_found' });
        const made = await seeded(bed);
        bed.sim.store.cancel(bed.sim.calendar('primary'), bed.sim.store.stored(bed.sim.calendar('primary'), made.eventId)!);
        const cancelled = await failure(bed, 'update-event', { eventId: made.eventId, summary: 'x' });
        expect(cancelled.payload).toMatchObject({ type: 'cancelled' });
        const badEmail = await failure(bed, 'update-event', { eventId: made.eventId, attendees: [{ email: 'nope' }] });
        expect(badEmail.payload).toMatchObject({ type: 'invalid_input', field: 'attendees[0].email' });
    });

    it('changes one instance of a series by its instance id, which the sync then stores as an exception', async () => {
        const bed = testBed();
        await bed.sync();
        const calendar = bed.sim.calendar('primary');
        const master = calendar.events.find((e) => e.recurrence && e.status === 'confirmed' && !e.start.allDay)!;
        const [at] = bed.sim.store
            .instanceStarts(calendar, master, bed.clock.now(), bed.clock.now() + 90 * 86_400_000)
            .filter((start) => !bed.sim.store.stored(calendar, bed.sim.store.instance(master, start).id));
        const instanceId = bed.sim.store.instance(master, at!).id;
        const refused = await failure(bed, 'update-event', { eventId: instanceId, recurrence: ['RRULE:FREQ=DAILY'] });
        expect(refused.payload).toMatchObject({ type: 'invalid_input', field: 'recurrence' });
        const result = await bed.action('update-event', { eventId: instanceId, summary: 'Only this week: remote' });
        expect(result.status).toBe('success');
        expect((result as { output: GoogleCalendarEvent }).output).toMatchObject({ eventId: instanceId, recurringEventId: master.id });
        await bed.sync();
        expectInSync(bed);
    });
});
