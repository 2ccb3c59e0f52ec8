import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { RecordsStore, runOnEvent, VirtualClock, type OnEventType } from '../../runtime/index.js';
import { server } from '../support/msw.js';
import { FIXTURES_DIR, GMAIL } from '../runtime/support/fixtures.js';

const conn = { integration: 'google-mail', connectionId: 'local' };

function setup(metadata: Record<string, unknown> = {}) {
    const store = new RecordsStore();
    store.setMetadata(conn, metadata);
    const stops: string[] = [];
    server.use(
        http.get(`${GMAIL}/profile`, () => HttpResponse.json({ emailAddress: 'Ada@Example.com', historyId: '1' })),
        http.post(`${GMAIL}/stop`, () => {
            stops.push('stop');
            return new HttpResponse(null, { status: 204 });
        })
    );
    const run = (event: OnEventType, name: string = event) =>
        runOnEvent({ integration: 'google-mail', name, event, store, clock: new VirtualClock(), integrationsDir: FIXTURES_DIR });
    return { store, stops, run };
}

describe('runOnEvent', () => {
    it('runs validate-connection; a throw fails it with the thrown message, as Nango reports the refusal', async () => {
        const ok = await setup().run('validate-connection');
        expect(ok).toMatchObject({ status: 'success', calls: 1 });

        const refused = await setup({ refuse: 'the gmail.readonly scope was not granted' }).run('validate-connection');
        expect(refused.status).toBe('failed');
        if (refused.status !== 'failed') return;
        expect(refused.error).toMatchObject({ error_type: 'script_internal_error', message: 'the gmail.readonly scope was not granted' });
    });

    it('gives post-connection-creation the connection metadata to write, through NangoAction', async () => {
        const { store, run } = setup();
        const result = await run('post-connection-creation');
        expect(result.status).toBe('success');
        expect(store.getMetadata(conn)).toEqual({ emailAddress: 'Ada@Example.com' });
        expect(result.logs.map((l) => l.message)).toContain('connected Ada@Example.com');
    });

    it('keeps an on-event checkpoint under on-event:<name>', async () => {
        const { store, stops, run } = setup();
        const result = await run('pre-connection-deletion');
        expect(result.status).toBe('success');
        expect(stops).toEqual(['stop']);
        expect(store.getCheckpoint(conn, 'on-event:pre-connection-deletion')).toEqual({ stopped: true });
    });

    it('refuses to run a script for an event it does not declare, and a sync as an on-event script', async () => {
        const { run } = setup();
        const wrongEvent = await run('pre-connection-deletion', 'validate-connection');
        expect(wrongEvent.status).toBe('failed');
        const missing = await run('validate-connection', 'pushed');
        expect(missing).toMatchObject({ status: 'failed', error: { error_type: 'script_load_error' } });
    });
});
