import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../runtime/clock.js';
import { CALENDAR_BASE, CalendarSimulator } from '../../simulators/calendar/index.js';
import { GmailSimulator } from '../../simulators/gmail/index.js';
import { server } from '../support/msw.js';

const AUTH = { authorization: 'Bearer test-access-token' };

describe('fault applied-then-status: the provider applies the write, then answers 5xx', () => {
    it('stores a calendar insert and answers the status in Google error form, so a retry with the same id meets 409', async () => {
        const sim = new CalendarSimulator({ clock: new VirtualClock(), seed: 7, events: 5 });
        server.use(...sim.handlers);
        sim.core.faults.inject('events.insert', { kind: 'applied-then-status', status: 503 });
        const body = JSON.stringify({ id: 'applied12345', summary: 'x', start: { date: '2026-03-01' }, end: { date: '2026-03-02' } });
        const insert = () =>
            fetch(`${CALENDAR_BASE}/calendars/primary/events`, {
                method: 'POST',
                headers: { ...AUTH, 'content-type': 'application/json' },
                body
            });
        const first = await insert();
        expect(first.status).toBe(503);
        expect(((await first.json()) as { error: { code: number } }).error.code).toBe(503);
        expect(sim.store.stored(sim.calendar('primary'), 'applied12345')).toBeDefined();
        expect(sim.core.meter.get('events.insert').calls).toBe(1);
        expect((await insert()).status).toBe(409);
    });

    it('applies every call of a Gmail batch, then fails the whole batch', async () => {
        const sim = new GmailSimulator({ clock: new VirtualClock(), seed: 11, threads: 5 });
        server.use(...sim.handlers);
        const id = sim.truth('GmailThread')[0]!.id;
        sim.core.faults.inject('batch', { kind: 'applied-then-status', status: 500 });
        const response = await fetch('https://gmail.googleapis.com/batch/gmail/v1', {
            method: 'POST',
            headers: { ...AUTH, 'content-type': 'multipart/mixed; boundary=b' },
            body: `--b\r\nContent-Type: application/http\r\n\r\nPOST /gmail/v1/users/me/threads/${id}/trash\r\n--b--\r\n`
        });
        expect(response.status).toBe(500);
        const thread = await fetch(`https://gmail.googleapis.com/gmail/v1/users/me/threads/${id}?format=minimal`, { headers: AUTH });
        const labels = ((await thread.json()) as { messages: { labelIds: string[] }[] }).messages.map((m) => m.labelIds);
        expect(labels.every((l) => l.includes('TRASH'))).toBe(true);
    });
});
