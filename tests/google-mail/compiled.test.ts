import { beforeAll, describe, expect, it } from 'vitest';
import type { ReplyEmailOutput, SendEmailOutput } from '../../models.js';
import { INTEGRATIONS_DIR, runAction, runSync } from '../../runtime/index.js';
import { ensureCompiled } from '../../scripts/nango-folder.js';
import { conn, contactsWorld, mailWorld } from './harness.js';

/**
 * The google-mail scripts as Nango ships them: compiled by the real `nango compile` (the one compile of the run,
 * tests/support/global-setup.ts; ensureCompiled only compiles if a source changed since) and run from the
 * build/*.cjs bundles in the sandbox context. A script that reached for TextDecoder, process or fetch fails here.
 */
const integrationsDir = INTEGRATIONS_DIR;

beforeAll(async () => {
    await ensureCompiled();
}, 300_000);

describe('google-mail from the compiled bundles', () => {
    it('gmail-threads backfills, then follows history', async () => {
        const world = mailWorld({ threads: 40 });
        const run = () =>
            runSync({
                integration: 'google-mail',
                name: 'gmail-threads',
                store: world.store,
                clock: world.clock,
                from: 'compiled',
                integrationsDir
            });
        expect((await run()).status).toBe('success');
        world.sim.applyActivity('new-mail');
        world.sim.applyActivity('delete-messages');
        const second = await run();
        expect(second.status).toBe('success');
        expect(world.verdict()).toMatchObject({ ok: true });
        expect(world.store.getCheckpoint(conn, 'gmail-threads')).toMatchObject({ phase: 'incremental' });
    });

    it('gmail-contacts lists the contact book', async () => {
        const world = contactsWorld({ contacts: 50 });
        const result = await runSync({
            integration: 'google-mail',
            name: 'gmail-contacts',
            store: world.store,
            clock: world.clock,
            from: 'compiled',
            integrationsDir
        });
        expect(result.status).toBe('success');
        expect(world.verdict().ok).toBe(true);
    });

    it('send-email and reply-email send through the simulator (crypto for ids, Buffer for encodings)', async () => {
        const world = mailWorld({ threads: 3 });
        const sent = await runAction<SendEmailOutput>({
            integration: 'google-mail',
            name: 'send-email',
            store: world.store,
            clock: world.clock,
            from: 'compiled',
            integrationsDir,
            input: { to: [{ email: 'x@example.com', name: 'Zoë' }], subject: 'Grüße', text: 'hello', html: '<p>hello</p>' }
        });
        if (sent.status !== 'success') throw new Error(JSON.stringify(sent.error));
        const parent = [...world.sim.mailbox.messages.values()].find((message) => !message.fromOwner)!;
        const reply = await runAction<ReplyEmailOutput>({
            integration: 'google-mail',
            name: 'reply-email',
            store: world.store,
            clock: world.clock,
            from: 'compiled',
            integrationsDir,
            input: { messageId: parent.id, text: 'thanks' }
        });
        if (reply.status !== 'success') throw new Error(JSON.stringify(reply.error));
        expect(reply.output.threadId).toBe(parent.threadId);
    });
});
