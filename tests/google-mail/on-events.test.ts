import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { GOOGLE_MAIL_REQUIRED_SCOPES, grantedScopes, missingScopes } from '../../nango-integrations/google-mail/scopes.js';
import { watchDue, WATCH_RENEW_AFTER_MS } from '../../nango-integrations/google-mail/watch.js';
import { runOnEvent, type OnEventType } from '../../runtime/index.js';
import { DEFAULT_PUBSUB } from '../../simulators/gmail/index.js';
import { conn, mailWorld, type MailWorld } from './harness.js';

const GOOGLE = 'https://www.googleapis.com/auth/';

describe('google-mail scopes', () => {
    it('requires exactly the union of the scopes the google-mail scripts declare', () => {
        const manifest = parse(readFileSync(new URL('../../nango.yaml', import.meta.url), 'utf8')) as {
            integrations: { 'google-mail': Record<string, Record<string, { scopes?: string[] }>> };
        };
        const declared = new Set<string>();
        for (const kind of ['syncs', 'actions']) {
            for (const script of Object.values(manifest.integrations['google-mail'][kind] ?? {}))
                for (const s of script.scopes ?? []) declared.add(s);
        }
        expect(Object.keys(GOOGLE_MAIL_REQUIRED_SCOPES).sort()).toEqual([...declared].sort());
    });

    it('reads the granted scopes from the token response Nango keeps as credentials.raw', () => {
        const connection = { credentials: { type: 'OAUTH2', raw: { scope: `${GOOGLE}gmail.readonly  openid ${GOOGLE}gmail.send` } } };
        expect(grantedScopes(connection)).toEqual([`${GOOGLE}gmail.readonly`, 'openid', `${GOOGLE}gmail.send`]);
        expect(grantedScopes({ credentials: { raw: { access_token: 'x' } } })).toBeNull();
        expect(grantedScopes(null)).toBeNull();
    });

    it('names the required scopes no granted scope covers, and counts broader scopes as covering narrower ones', () => {
        expect(missingScopes([`${GOOGLE}gmail.readonly`])).toEqual([`${GOOGLE}gmail.send`, `${GOOGLE}contacts.readonly`]);
        expect(missingScopes(['https://mail.google.com/', `${GOOGLE}contacts`])).toEqual([]);
        expect(missingScopes([`${GOOGLE}gmail.modify`, `${GOOGLE}contacts.readonly`])).toEqual([]);
        // gmail.metadata cannot read bodies (format=full): it covers nothing the scripts need.
        expect(missingScopes([`${GOOGLE}gmail.metadata`, `${GOOGLE}gmail.compose`, `${GOOGLE}contacts.readonly`])).toEqual([
            `${GOOGLE}gmail.readonly`
        ]);
    });
});

describe('Gmail watch renewal rule', () => {
    const now = Date.parse('2026-12-01T10:00:00Z');
    const topic = 'projects/nango-local/topics/gmail-push';
    const watch = (renewedAgoMs: number, expiresInMs: number) => ({
        pushTopic: topic,
        pushWatchHistoryId: '100',
        pushWatchRenewedAt: new Date(now - renewedAgoMs).toISOString(),
        pushWatchExpiresAt: new Date(now + expiresInMs).toISOString()
    });

    it('is due when push is on and the watch is missing, a day old or expired; never when push is off', () => {
        expect(watchDue({}, now)).toBe(false);
        expect(watchDue({ pushTopic: topic }, now)).toBe(true);
        expect(watchDue(watch(WATCH_RENEW_AFTER_MS - 1, 6 * 86_400_000), now)).toBe(false);
        expect(watchDue(watch(WATCH_RENEW_AFTER_MS, 6 * 86_400_000), now)).toBe(true);
        expect(watchDue(watch(60_000, 0), now)).toBe(true);
    });
});

const TOPIC = DEFAULT_PUBSUB.topics[0]!;

function onEvent(world: MailWorld, event: OnEventType) {
    return runOnEvent({ integration: 'google-mail', name: event, event, store: world.store, clock: world.clock });
}

describe('google-mail validate-connection', () => {
    it('accepts a connection whose profile is readable', async () => {
        const world = mailWorld({ threads: 5 });
        const result = await onEvent(world, 'validate-connection');
        expect(result).toMatchObject({ status: 'success', calls: 1 });
    });

    it('refuses a connection whose Gmail profile cannot be read, saying why', async () => {
        const world = mailWorld({ threads: 5 });
        world.sim.core.faults.inject('getProfile', { kind: 'status', status: 403 });
        const result = await onEvent(world, 'validate-connection');
        expect(result.status).toBe('failed');
        if (result.status !== 'failed') return;
        expect(result.error.message).toMatch(/^The Gmail profile cannot be read \(HTTP 403/);
    });

    it('refuses a reconnect with another mailbox than the one the connection holds, naming both', async () => {
        const world = mailWorld({ threads: 5 });
        world.store.setMetadata(conn, { emailAddress: 'previous.owner@example.com' });
        const result = await onEvent(world, 'validate-connection');
        expect(result.status).toBe('failed');
        if (result.status !== 'failed') return;
        expect(result.error.message).toContain('holds the mailbox previous.owner@example.com');
        expect(result.error.message).toContain(`reconnected with ${world.sim.emailAddress}`);
    });
});

describe('google-mail post-connection-creation', () => {
    it('records the mailbox address for routing and, with a push topic, starts the watch and records it', async () => {
        const world = mailWorld({ threads: 5 });
        world.store.setMetadata(conn, { pushTopic: TOPIC, backfillDays: 30 });
        const historyId = String(world.sim.historyId);
        const result = await onEvent(world, 'post-connection-creation');
        expect(result.status).toBe('success');
        const watch = world.sim.mailbox.watch.active;
        expect(watch?.topicName).toBe(TOPIC);
        expect(world.store.getMetadata(conn)).toEqual({
            pushTopic: TOPIC,
            backfillDays: 30,
            emailAddress: world.sim.emailAddress,
            pushWatchHistoryId: historyId,
            pushWatchRenewedAt: new Date(world.clock.now()).toISOString(),
            pushWatchExpiresAt: new Date(watch!.expiration).toISOString()
        });
    });

    it('records only the address when push is off', async () => {
        const world = mailWorld({ threads: 5 });
        expect((await onEvent(world, 'post-connection-creation')).status).toBe('success');
        expect(world.store.getMetadata(conn)).toEqual({ emailAddress: world.sim.emailAddress });
        expect(world.sim.mailbox.watch.active).toBeNull();
    });

    it("fails with Gmail's reason when the topic refuses Gmail, the address still recorded", async () => {
        const world = mailWorld({ threads: 5 });
        world.store.setMetadata(conn, { pushTopic: 'projects/nango-local/topics/not-granted' });
        const result = await onEvent(world, 'post-connection-creation');
        expect(result.status).toBe('failed');
        if (result.status !== 'failed') return;
        expect(result.error.message).toMatch(/Gmail refused the watch on projects\/nango-local\/topics\/not-granted \(HTTP 403/);
        expect(world.store.getMetadata(conn)?.['emailAddress']).toBe(world.sim.emailAddress);
    });
});

describe('google-mail pre-connection-deletion', () => {
    it('stops the watch', async () => {
        const world = mailWorld({ threads: 5 });
        world.store.setMetadata(conn, { pushTopic: TOPIC });
        await onEvent(world, 'post-connection-creation');
        expect(world.sim.mailbox.watch.active).not.toBeNull();
        expect((await onEvent(world, 'pre-connection-deletion')).status).toBe('success');
        expect(world.sim.mailbox.watch.active).toBeNull();
        expect(world.sim.core.meter.get('stop').calls).toBe(1);
    });

    it('succeeds when the watch is already gone, and when Gmail refuses the stop (logged)', async () => {
        const world = mailWorld({ threads: 5 });
        expect((await onEvent(world, 'pre-connection-deletion')).status).toBe('success');
        world.sim.core.faults.inject('stop', { kind: 'status', status: 401 }, 2);
        const refused = await onEvent(world, 'pre-connection-deletion');
        expect(refused.status).toBe('success');
        expect(refused.logs.some((log) => log.level === 'error' && /Could not stop the Gmail watch \(HTTP 401/.test(log.message))).toBe(
            true
        );
    });
});
