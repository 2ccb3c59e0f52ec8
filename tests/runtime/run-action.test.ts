import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { RecordsStore, runAction, VirtualClock } from '../../runtime/index.js';
import { server } from '../support/msw.js';
import { FIXTURES_DIR, GMAIL } from './support/fixtures.js';

function echo(input: unknown) {
    return runAction({
        integration: 'google-mail',
        name: 'echo',
        input,
        store: new RecordsStore(),
        clock: new VirtualClock(),
        integrationsDir: FIXTURES_DIR
    });
}

describe('runAction', () => {
    it('returns the output of a successful action', async () => {
        server.use(http.post(`${GMAIL}/echo`, async ({ request }) => HttpResponse.json(await request.json(), { status: 201 })));
        const res = await echo({ text: 'hello' });
        expect(res).toMatchObject({ status: 'success', output: { echoed: 'hello', status: 201 }, calls: 1 });
    });

    it('refuses input that does not match the input schema, naming the field, before the script runs', async () => {
        const res = await echo({ text: 42 });
        expect(res.status).toBe('failed');
        if (res.status !== 'failed') return;
        expect(res.error.error_type).toBe('invalid_action_input');
        expect(res.error.message).toMatch(/text must be string/);
        expect(res.calls).toBe(0);
    });

    it('turns an ActionError into action_script_failure with its payload', async () => {
        const res = await echo({ text: 'nope', mode: 'action-error' });
        expect(res).toMatchObject({
            status: 'failed',
            error: { error_type: 'action_script_failure', message: 'refused', payload: { message: 'refused', reason: 'nope' } }
        });
    });

    it('reports any other error with its message', async () => {
        const res = await echo({ text: 'x', mode: 'throw' });
        expect(res).toMatchObject({ status: 'failed', error: { error_type: 'script_internal_error', message: 'boom: x' } });
    });

    it("reports a provider error with the provider's status and body", async () => {
        server.use(
            http.post(`${GMAIL}/fail`, () => HttpResponse.json({ error: { code: 400, message: 'Invalid to header' } }, { status: 400 }))
        );
        const res = await echo({ text: 'x', mode: 'http' });
        expect(res).toMatchObject({
            status: 'failed',
            error: { error_type: 'script_http_error', status: 400, payload: { error: { message: 'Invalid to header' } } }
        });
    });

    it('refuses output that does not match the output schema', async () => {
        server.use(http.post(`${GMAIL}/echo`, async ({ request }) => HttpResponse.json(await request.json())));
        const res = await echo({ text: 'x', mode: 'bad-output' });
        expect(res.status).toBe('failed');
        if (res.status !== 'failed') return;
        expect(res.error.error_type).toBe('invalid_action_output');
        expect(res.error.message).toMatch(/status is required/);
    });

    it('refuses to run a sync as an action', async () => {
        const res = await runAction({
            integration: 'google-mail',
            name: 'pages',
            store: new RecordsStore(),
            integrationsDir: FIXTURES_DIR
        });
        expect(res).toMatchObject({ status: 'failed', error: { error_type: 'script_load_error' } });
    });
});
