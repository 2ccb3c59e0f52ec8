import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { RecordsStore, VirtualClock } from '../../runtime/index.js';
import { connect } from '../../runner/push.js';
import { pushPhase } from '../../runner/rehearse-push.js';
import { PushOutbox } from '../../simulators/common/push.js';
import { verdictOfCache } from '../../simulators/common/truth.js';
import { server } from '../support/msw.js';
import { FIXTURES_DIR, GMAIL } from '../runtime/support/fixtures.js';

const conn = { integration: 'google-mail', connectionId: 'rehearsal' };
const SYNCS = [{ integration: 'google-mail' as const, name: 'pushed', models: [{ model: 'PushedItem', simulator: 'gmail' as const }] }];

function gmailPush(changes: Record<string, unknown>) {
    const data = Buffer.from(JSON.stringify({ emailAddress: 'ada@example.com', historyId: '5', ...changes })).toString('base64');
    return { provider: 'gmail' as const, headers: {}, body: JSON.stringify({ message: { data } }), emittedAt: 1 };
}

describe('the rehearsal push step', () => {
    it('delivers before any poll, judges the cache then, and catches a poll that moves a pushed record back', async () => {
        server.use(http.get(`${GMAIL}/profile`, () => HttpResponse.json({ emailAddress: 'ada@example.com', historyId: '1' })));
        const store = new RecordsStore();
        const target = { accessToken: 'test-access-token', connectionConfig: {}, clock: new VirtualClock() };
        const common = { store, integration: 'google-mail', connectionId: 'rehearsal', target, integrationsDir: FIXTURES_DIR };
        let text = '';
        const out = { write: (chunk: string) => (text += chunk) };
        expect((await connect({ ...common, out, metadata: {} })).ok).toBe(true);

        const outbox = new PushOutbox();
        outbox.emit(gmailPush({ items: [{ id: 'a', n: 2, label: null }] }));
        // The provider's truth: record a at version 2 (its `n`).
        const truth = [{ id: 'a', version: '2' }];
        const verdictOf = (model: string) => verdictOfCache(model, truth, store.allRecords(conn, model), (_m, r) => String(r['n']));

        const phase = await pushPhase({ ...common, simulators: [{ push: outbox }, {}], syncs: SYNCS, verdictOf, out });
        expect(text).toMatch(
            /push: 1 notification\(s\) queued\n {4}gmail push 1 \(historyId 5\): google-mail\/rehearsal pushed: PushedItem \+1 ~0 -0/
        );
        expect(phase.rows).toMatchObject([{ script: 'pushed', phase: 'webhook', status: 'success', added: 1 }]);
        expect(phase.verdicts.map((v) => [v.model, v.ok])).toEqual([['PushedItem (after push, before any poll)', true]]);
        expect(phase.movedBack()).toEqual([]);

        store.saveRecords(conn, 'PushedItem', [{ id: 'a', n: 1, label: null }]);
        expect(phase.movedBack()).toEqual(['PushedItem a']);
    });
});
