/**
 * Salesforce record ids: a 3-character key prefix naming the object, 12 base-62 characters, and (in the 18-character
 * form every API answer uses) a 3-character suffix that encodes which letters of the 15-character id are upper case,
 * so that case-insensitive tools can still tell `...abC` from `...abc`.
 */

export const KEY_PREFIXES = {
    Account: '001',
    Contact: '003',
    User: '005',
    Opportunity: '006',
    Group: '00G',
    Lead: '00Q',
    QueryLocator: '01g'
} as const;

const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** The 3-character case-safe suffix of a 15-character id: bit i of chunk c is set when character 5c+i is A-Z. */
export function caseSafeSuffix(id15: string): string {
    let suffix = '';
    for (let chunk = 0; chunk < 3; chunk += 1) {
        let bits = 0;
        for (let i = 0; i < 5; i += 1) {
            const ch = id15.charCodeAt(chunk * 5 + i);
            if (ch >= 65 && ch <= 90) bits |= 1 << i;
        }
        suffix += SUFFIX_ALPHABET[bits];
    }
    return suffix;
}

export function to18(id15: string): string {
    return id15 + caseSafeSuffix(id15);
}

/**
 * The canonical 15-character id a client's id stands for, or null when it cannot be an id. An 18-character id is
 * case-insensitive: its suffix says which letters are upper case, as Salesforce reads it.
 */
export function canonicalId15(id: string): string | null {
    if (!/^[a-zA-Z0-9]+$/.test(id)) return null;
    if (id.length === 15) return id;
    if (id.length !== 18) return null;
    const suffix = id.slice(15).toUpperCase();
    let out = '';
    for (let chunk = 0; chunk < 3; chunk += 1) {
        const bits = SUFFIX_ALPHABET.indexOf(suffix[chunk]!);
        if (bits < 0) return null;
        for (let i = 0; i < 5; i += 1) {
            const ch = id[chunk * 5 + i]!;
            out += bits & (1 << i) ? ch.toUpperCase() : ch.toLowerCase();
        }
    }
    return out;
}

/** Hands out ids the way an org does: key prefix, a pod code, then an ever-growing base-62 counter. */
export class IdFactory {
    constructor(
        private counter = 0,
        private readonly pod = 'Dn'
    ) {}

    get next(): number {
        return this.counter;
    }

    make(prefix: string): string {
        this.counter += 1;
        // Spread consecutive ids over the base-62 space so ids carry mixed case, as real ones do.
        let n = this.counter * 7919 + 104729;
        let body = '';
        for (let i = 0; i < 9; i += 1) {
            body = BASE62[n % 62] + body;
            n = Math.floor(n / 62);
        }
        return to18(prefix + this.pod + '0' + body);
    }
}
