import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReplyEmailOutput, SendEmailOutput } from '../../models.js';
import { INTEGRATIONS_DIR, REPO_ROOT, runAction, runSync } from '../../runtime/index.js';
import { conn, contactsWorld, mailWorld } from './harness.js';

/**
 * The google-mail scripts as Nango ships them: compiled by the real `nango compile` (in a scratch copy holding only
 * google-mail, shared/ and models.ts, so other integrations' work in progress cannot break it) and run from the
 * build/*.cjs bundles in the sandbox context. A script that reached for TextDecoder, process or fetch fails here.
 */
let root = '';
let integrationsDir = '';

beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'google-mail-compiled-'));
    integrationsDir = join(root, 'nango-integrations');
    mkdirSync(join(integrationsDir, '.nango'), { recursive: true });
    cpSync(join(REPO_ROOT, 'models.ts'), join(root, 'models.ts'));
    cpSync(join(INTEGRATIONS_DIR, 'google-mail'), join(integrationsDir, 'google-mail'), { recursive: true });
    cpSync(join(INTEGRATIONS_DIR, 'shared'), join(integrationsDir, 'shared'), { recursive: true });
    const entries = ['syncs', 'actions'].flatMap((kind) =>
        readdirSync(join(integrationsDir, 'google-mail', kind)).map(
            (file) => `import './google-mail/${kind}/${file.replace(/\.ts$/, '.js')}';`
        )
    );
    writeFileSync(join(integrationsDir, 'index.ts'), `${entries.join('\n')}\n`);
    writeFileSync(join(integrationsDir, 'package.json'), JSON.stringify({ type: 'module', private: true }));
    writeFileSync(join(root, 'package.json'), JSON.stringify({ type: 'module', private: true }));
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(integrationsDir, 'node_modules'), 'dir');
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
    const cli = join(REPO_ROOT, 'node_modules', 'nango', 'dist', 'index.js');
    try {
        await promisify(execFile)(process.execPath, [cli, 'compile', '--no-dependency-update', '--no-telemetry'], {
            cwd: integrationsDir,
            env: { ...process.env, NANGO_CLI_TELEMETRY: 'false', CI: 'true' }
        });
    } catch (err) {
        const { stdout, stderr } = err as { stdout?: string; stderr?: string };
        throw new Error(`nango compile failed on google-mail:\n${stdout ?? ''}${stderr ?? ''}`, { cause: err });
    }
}, 120_000);

afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
});

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
