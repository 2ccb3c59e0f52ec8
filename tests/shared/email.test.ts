import { describe, expect, it } from 'vitest';
import { isValidEmail } from '../../nango-integrations/shared/email.js';

/**
 * One check for every action, taking what all three former checks took (google-mail/mime-build.ts,
 * google-calendar/validate.ts, salesforce/inputs.ts). Each row: an address, then what each former check decided
 * (G Gmail, C Calendar, S Salesforce; '-' refused; \u007f is a DEL), so a row where they differ shows whose behaviour changed.
 */
const VERDICTS = `
a@example.com                         GCS
first.last+tag@sub.example.co.uk      GCS
o'brien@example.ie                    GCS
x_y-z@a-b.example                     GCS
a@b.c                                 GCS
!#$%&'*+/=?^_\`{|}~-@example.com      GCS
user@xn--bcher-kva.example            GCS
plain                                 ---
@example.com                          ---
a@                                    ---
a@b                                   ---
x@@y.com                              ---
a@b@c.example                         ---
<jamie@example.com>                   ---
a@example.com.                        ---
a@.example.com                        -C-
a@example..com                        -C-
élodie.martin@client.fr               -C-
a@bücher.example                      -C-
a..b@example.com                      -C-
.a@example.com                        -C-
a.@example.com                        -C-
a@-x.com                              -C-
a@x-.com                              -C-
a@under_score.example                 -C-
"quoted"@example.com                  ---
a@[192.0.2.1]                         ---
a\u007f@b.example                     -C-
`;

function rows(): { address: string; took: string }[] {
    return VERDICTS.trim()
        .split('\n')
        .map((line) => {
            const [address, took] = line.trim().split(/\s+/) as [string, string];
            return { address, took };
        });
}

describe('isValidEmail', () => {
    it('takes an address only when every former check took it', () => {
        for (const { address, took } of rows()) expect(isValidEmail(address), `${address} (${took})`).toBe(took === 'GCS');
    });

    it('refuses the empty string, spaces and display names, as every former check did', () => {
        for (const address of ['', 'a b@example.com', 'Jamie <jamie@example.com>', 'a@b .example'])
            expect(isValidEmail(address)).toBe(false);
    });

    it("holds RFC 5321's lengths as Gmail's check did (Calendar's held the 254 in all only, Salesforce's none: past 80 characters create-lead refuses the length anyway)", () => {
        expect(isValidEmail(`${'a'.repeat(64)}@example.com`)).toBe(true);
        expect(isValidEmail(`a@${'b'.repeat(63)}.example`)).toBe(true);
        expect(isValidEmail(`${'a'.repeat(65)}@example.com`)).toBe(false);
        expect(isValidEmail(`a@${'b'.repeat(64)}.example`)).toBe(false);
        const label = 'c'.repeat(60);
        const long = `a@${[label, label, label, label, label].join('.')}.example`;
        expect(long.length).toBeGreaterThan(254);
        expect(isValidEmail(long)).toBe(false);
    });
});
