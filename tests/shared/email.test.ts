import { describe, expect, it } from 'vitest';
import { isValidEmail } from '../../nango-integrations/shared/email.js';

/**
 * One check for every action. Each list below is what one of the three former checks (google-mail/mime-build.ts,
 * google-calendar/validate.ts, salesforce/inputs.ts) decided; where the one check decides otherwise, it says so.
 */
describe('isValidEmail', () => {
    it('takes what every former check took', () => {
        for (const good of [
            'a@example.com',
            'first.last+tag@sub.example.co.uk',
            "o'brien@example.ie",
            'x_y-z@a-b.example',
            'jamie@example.com',
            'a@b.c',
            'ada@bluesun.example',
            "!#$%&'*+/=?^_`{|}~-@example.com",
            'user@xn--bcher-kva.example',
            `${'a'.repeat(64)}@example.com`,
            `a@${'b'.repeat(63)}.example`
        ]) {
            expect(isValidEmail(good), good).toBe(true);
        }
    });

    it('refuses what every former check refused', () => {
        for (const bad of [
            '',
            'plain',
            'jamie',
            '@example.com',
            'a@',
            'ada@',
            'a@b',
            'a b@example.com',
            'x@@y.com',
            'a@b@c.example',
            'Jamie <jamie@example.com>',
            'a@example.com.',
            'a@.example.com',
            'a@example..com'
        ]) {
            expect(isValidEmail(bad), bad).toBe(false);
        }
    });

    it("refuses what Gmail's and Salesforce's checks refused and Calendar's took (a change for create-event and update-event)", () => {
        for (const bad of [
            'élodie.martin@client.fr',
            'é@example.com',
            'a@bücher.example',
            'a..b@example.com',
            '.a@example.com',
            'a.@example.com',
            'a@-x.com',
            'a@x-.com',
            'a@under_score.example',
            '"quoted"@example.com',
            'a@[192.0.2.1]',
            'a\u007f@b.example'
        ]) {
            expect(isValidEmail(bad), bad).toBe(false);
        }
    });

    it("holds RFC 5321's lengths as Gmail's check did (Calendar's held the 254 in all only, Salesforce's none: past 80 characters create-lead refuses the length anyway)", () => {
        expect(isValidEmail(`${'a'.repeat(65)}@example.com`)).toBe(false);
        expect(isValidEmail(`a@${'b'.repeat(64)}.example`)).toBe(false);
        const label = 'c'.repeat(60);
        const long = `a@${[label, label, label, label, label].join('.')}.example`;
        expect(long.length).toBeGreaterThan(254);
        expect(isValidEmail(long)).toBe(false);
    });
});
