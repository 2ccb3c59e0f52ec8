import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { GOOGLE_MAIL_REQUIRED_SCOPES, grantedScopes, missingScopes } from '../../nango-integrations/google-mail/scopes.js';
import { watchDue, WATCH_RENEW_AFTER_MS } from '../../nango-integrations/google-mail/watch.js';

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
