import { describe, expect, it } from 'vitest';
import { findAnswer, requestIdentity, type RecordedAnswer, type Recording } from '../../runner/replay/recording.js';
import { scrubRecording } from '../../runner/replay/scrub.js';

/** A user's own recording, in the CLI's format, with the personal data a real connection returns. */
function userRecording(): Recording {
    return {
        input: { to: [{ email: 'grace.hopper@navy.mil', name: 'Grace Hopper' }] },
        nango: {
            getConnection: { connectionId: 'conn-1', provider: 'salesforce' },
            batchSave: { Contact: [{ id: '1', displayName: 'Grace Hopper', email: 'grace.hopper@navy.mil' }] }
        },
        api: {
            get: {
                '/calendar/v3/calendars/grace.hopper%40navy.mil/events': {
                    response: {
                        items: [{ organizer: { email: 'grace.hopper@navy.mil', displayName: 'Grace Hopper' } }],
                        calendar: 'en.usa#holiday@group.v.calendar.google.com',
                        from: 'Grace Hopper <grace.hopper@navy.mil>',
                        url: 'https://acme-dev-ed.my.salesforce.com/services/data',
                        access_token: 'ya29.secret-token'
                    },
                    status: 200,
                    headers: { date: 'Tue, 01 Dec 2026 08:00:00 GMT' },
                    hash: 'recorded-hash',
                    request: { params: { q: 'grace.hopper@navy.mil' } }
                }
            }
        }
    };
}

describe('scrubRecording', () => {
    const scrubbed = scrubRecording(userRecording());
    const text = JSON.stringify(scrubbed);

    it('leaves no address, name, credential or Salesforce instance of the user', () => {
        expect(text).not.toMatch(/grace|hopper|navy\.mil|ya29|acme-dev-ed/i);
        expect(text).toContain('https://instance.my.salesforce.com/services/data');
        expect(text).toContain('"access_token":"REDACTED"');
    });

    it('gives one value the same placeholder everywhere, plain or URL-encoded, and keeps shared calendars', () => {
        const email = (scrubbed.input as { to: { email: string; name: string }[] }).to[0]!;
        expect(email.email).toMatch(/^person-[0-9a-f]{8}@example\.com$/);
        expect(email.name).toMatch(/^Person [0-9a-f]{6}$/);
        expect(scrubbed.nango?.batchSave?.['Contact']?.[0]).toMatchObject({ email: email.email, displayName: email.name });
        expect(Object.keys(scrubbed.api!['get']!)).toEqual([`/calendar/v3/calendars/${encodeURIComponent(email.email)}/events`]);
        expect(text).toContain(`"from":"${email.name} <${email.email}>"`);
        expect(text).toContain('en.usa#holiday@group.v.calendar.google.com');
        expect(scrubRecording(userRecording())).toEqual(scrubbed);
    });

    it('changes nothing when run on its own output', () => {
        expect(scrubRecording(scrubbed)).toEqual(scrubbed);
    });

    it('hashes a scrubbed request again, so the replay still finds its answer by hash alone', () => {
        const [endpoint] = Object.keys(scrubbed.api!['get']!);
        const answer = scrubbed.api!['get']![endpoint!]! as RecordedAnswer;
        const placeholder = (scrubbed.input as { to: { email: string }[] }).to[0]!.email;
        const identity = requestIdentity({ method: 'GET', endpoint: endpoint!, params: { q: placeholder } });
        // Without its request, only the hash can match it.
        const hashOnly = { ...answer, request: {} };
        expect(findAnswer({ api: { get: { [endpoint!]: hashOnly } } }, identity)).toBe(hashOnly);
        expect(findAnswer({ api: { get: { [endpoint!]: { ...hashOnly, hash: 'recorded-hash' } } } }, identity)).toBeNull();
    });
});
