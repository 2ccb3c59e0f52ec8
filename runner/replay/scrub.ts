/**
 * Personal data out of a recording before it is committed: email addresses, people's names, credentials and
 * Salesforce instance URLs become stable placeholders (the same value gives the same placeholder in every answer,
 * request, record and endpoint key, and in every recording), so a scrubbed recording still replays: the script reads
 * the placeholder from an answer and sends it back in the next request.
 *
 * What it cannot see: data inside encoded payloads (Gmail's base64url message bodies and raw MIME), and names that
 * sit under no name-like key and next to no address. Read a recording before committing it.
 */
import { createHash } from 'node:crypto';
import { identityHash, type Recording, type RecordedAnswer } from './recording.js';

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
/** `Ada Lovelace <ada@example.com>` and `"Lovelace, Ada" <ada@...>`, as mail headers and attendee lists write them. */
const NAMED_ADDRESS = /"?([^"<>,\r\n]*[A-Za-z][^"<>,\r\n]*?)"?\s*<[^<>@\s]+@[^<>\s]+>/g;
/** Keys that hold a person's name wherever they appear (People, Calendar attendees, Salesforce leads). */
const NAME_KEYS = /^(displayName|givenName|familyName|middleName|fullName|firstName|lastName|unstructuredName|displayNameLastFirst)$/i;
/** `name` holds a person's name only beside an address (`{ email, name }`); elsewhere it names a field or a deal. */
const ADDRESS_KEYS = /^(email|emailAddress|address)$/i;
const CREDENTIAL_KEYS = /^(access_token|refresh_token|id_token|client_secret|password|api_key|apikey|authorization|secret)$/i;
const SALESFORCE_INSTANCE = /https:\/\/[A-Za-z0-9-]+(?:\.(?:my|sandbox\.my|lightning))?\.(?:salesforce|force)\.com/g;
const PLACEHOLDER_INSTANCE = 'https://instance.my.salesforce.com';
/** Placeholders already scrubbed are left as they are, so scrubbing twice changes nothing. */
const KEPT_EMAIL = /^person-[0-9a-f]{8}@example\.com$/i;
/** Google's shared calendars (holidays, birthdays, secondary calendars) have addresses that name no person. */
const CALENDAR_ADDRESS = /@(group\.v\.calendar|group\.calendar|resource\.calendar)\.google\.com$/i;

export function scrubRecording(recording: Recording): Recording {
    const emails = new Set<string>();
    const names = new Set<string>();
    collect(recording, undefined, emails, names);
    const replacements: [RegExp, string][] = [];
    // Longest first, so a name inside a longer one is not replaced before it.
    for (const name of [...names].sort((a, b) => b.length - a.length)) {
        replacements.push([new RegExp(`(?<![\\p{L}\\p{N}])${escape(name)}(?![\\p{L}\\p{N}])`, 'gu'), placeholderName(name)]);
    }
    for (const email of [...emails].sort((a, b) => b.length - a.length)) {
        const placeholder = placeholderEmail(email);
        replacements.push([new RegExp(escape(email), 'gi'), placeholder]);
        replacements.push([new RegExp(escape(encodeURIComponent(email)), 'gi'), encodeURIComponent(placeholder)]);
    }
    replacements.push([SALESFORCE_INSTANCE, PLACEHOLDER_INSTANCE]);
    const scrubbed = rewrite(recording, undefined, replacements) as Recording;
    rehash(recording, scrubbed);
    return scrubbed;
}

function collect(value: unknown, key: string | undefined, emails: Set<string>, names: Set<string>): void {
    if (typeof value === 'string') {
        for (const match of value.matchAll(EMAIL)) if (!KEPT_EMAIL.test(match[0]) && !CALENDAR_ADDRESS.test(match[0])) emails.add(match[0]);
        for (const match of value.matchAll(NAMED_ADDRESS)) addName(match[1]!, names);
        if (key !== undefined && NAME_KEYS.test(key)) addName(value, names);
        return;
    }
    if (Array.isArray(value)) {
        for (const item of value) collect(item, key, emails, names);
        return;
    }
    if (value && typeof value === 'object') {
        const beside = Object.keys(value).some((k) => ADDRESS_KEYS.test(k));
        for (const [k, v] of Object.entries(value)) {
            collect(k, undefined, emails, names);
            if (beside && k === 'name' && typeof v === 'string') addName(v, names);
            else collect(v, k, emails, names);
        }
    }
}

function addName(raw: string, names: Set<string>): void {
    const name = raw.trim();
    // Short strings and placeholders are not names worth hunting through every text (and would hit other words).
    if (name.length < 3 || /^Person [0-9a-f]{6}$/.test(name) || /@/.test(name)) return;
    names.add(name);
}

function rewrite(value: unknown, key: string | undefined, replacements: [RegExp, string][]): unknown {
    if (typeof value === 'string') {
        if (key !== undefined && CREDENTIAL_KEYS.test(key)) return 'REDACTED';
        return replacements.reduce((text, [pattern, placeholder]) => text.replace(pattern, placeholder), value);
    }
    if (Array.isArray(value)) return value.map((item) => rewrite(item, key, replacements));
    if (value && typeof value === 'object') {
        return Object.fromEntries(
            Object.entries(value).map(([k, v]) => [rewrite(k, undefined, replacements) as string, rewrite(v, k, replacements)])
        );
    }
    return value;
}

/**
 * A request the scrub changed no longer has the identity hash the CLI recorded: it is computed again from the
 * recorded request, the way the CLI computes it, so a replay still finds the answer by hash. Requests it left alone
 * keep theirs: the recorded params keep one value per key (the CLI saves them with Object.fromEntries), so a
 * request with a repeated param (Gmail's metadataHeaders) is found only by its original hash.
 */
function rehash(original: Recording, scrubbed: Recording): void {
    const before = Object.values(original.api ?? {}).flatMap((byEndpoint) => Object.entries(byEndpoint));
    const after = Object.entries(scrubbed.api ?? {}).flatMap(([method, byEndpoint]) =>
        Object.entries(byEndpoint).map(([endpoint, entry]) => ({ method, endpoint, entry }))
    );
    after.forEach(({ method, endpoint, entry }, index) => {
        const [oldEndpoint, oldEntry] = before[index]!;
        const olds = Array.isArray(oldEntry) ? oldEntry : [oldEntry];
        (Array.isArray(entry) ? entry : [entry]).forEach((answer, i) => {
            const old = olds[i]!;
            const same = endpoint === oldEndpoint && JSON.stringify(answer.request) === JSON.stringify(old.request);
            if (!same) answer.hash = hashOf(method, endpoint, answer);
        });
    });
}

function hashOf(method: string, endpoint: string, answer: RecordedAnswer): string {
    const data = answer.request?.data;
    const text = data === undefined ? undefined : typeof data === 'string' ? data : JSON.stringify(data);
    return identityHash({
        method,
        endpoint: endpoint.replace(/^\//, ''),
        params: sorted(Object.entries(answer.request?.params ?? {})),
        headers: sorted(Object.entries(answer.request?.headers ?? {})),
        data: text === undefined ? undefined : text.length > 1000 ? `sha1:${sha1(text)}` : text
    });
}

function sorted(entries: [string, string][]): [string, string][] {
    return entries.map(([k, v]) => [k, String(v)] as [string, string]).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

function placeholderEmail(email: string): string {
    return `person-${sha1(email.toLowerCase()).slice(0, 8)}@example.com`;
}

function placeholderName(name: string): string {
    return `Person ${sha1(name).slice(0, 6)}`;
}

function sha1(text: string): string {
    return createHash('sha1').update(text).digest('hex');
}

function escape(text: string): string {
    return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
