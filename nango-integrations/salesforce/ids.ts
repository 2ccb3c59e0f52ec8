/**
 * Salesforce record ids: 15 case-sensitive base-62 characters (the first 3 name the object: 00Q Lead, 006
 * Opportunity...), or 18 with a suffix that encodes which of the first 15 are upper case.
 */

const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

export const KEY_PREFIX = { Lead: '00Q', Opportunity: '006', Account: '001', Contact: '003', User: '005' } as const;

/** The suffix Salesforce appends: for each 5-character chunk, a bit per upper-case letter, as one character. */
export function idSuffix(id15: string): string {
    let suffix = '';
    for (let chunk = 0; chunk < 3; chunk += 1) {
        let bits = 0;
        for (let i = 0; i < 5; i += 1) {
            const c = id15[chunk * 5 + i] ?? '';
            if (c >= 'A' && c <= 'Z') bits += 2 ** i;
        }
        suffix += SUFFIX_ALPHABET.charAt(bits);
    }
    return suffix;
}

export type IdProblem = 'format' | 'checksum' | 'prefix';

/** Why `id` is not an id of the object with `keyPrefix`, or null when it is. */
export function idProblem(id: string, keyPrefix?: string): IdProblem | null {
    if (!/^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/.test(id)) return 'format';
    if (id.length === 18 && id.slice(15) !== idSuffix(id.slice(0, 15))) return 'checksum';
    if (keyPrefix !== undefined && id.slice(0, 3) !== keyPrefix) return 'prefix';
    return null;
}

/** The 18-character form of a valid 15- or 18-character id. */
export function toId18(id: string): string {
    return id.length === 18 ? id : id + idSuffix(id);
}
