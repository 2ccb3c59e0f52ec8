/**
 * Page and sync tokens. Both are opaque to clients, as Google's are; inside they name what they were issued for, so
 * the simulator can refuse a page token replayed on a different query and a sync token replayed on another calendar
 * or after the calendar's tokens were invalidated.
 */

export function fnv1a(text: string): string {
    let hash = 0x811c9dc5;
    for (let i = 0; i < text.length; i += 1) {
        hash ^= text.charCodeAt(i);
        hash = Math.imul(hash, 0x01000193);
    }
    return (hash >>> 0).toString(36);
}

export interface SyncTokenData {
    calendar: string;
    epoch: number;
    /** A position in the calendar's change log. */
    position: number;
    singleEvents: boolean;
}

export function encodeSyncToken(data: SyncTokenData): string {
    const body = `s1|${fnv1a(data.calendar)}|${data.epoch}|${data.position}|${data.singleEvents ? 1 : 0}`;
    return `C${Buffer.from(`${body}|${fnv1a(body)}`).toString('base64url')}`;
}

/** The token's content if it is well formed and belongs to `calendarId`; null otherwise. */
export function decodeSyncToken(token: string, calendarId: string): Omit<SyncTokenData, 'calendar'> | null {
    if (!token.startsWith('C')) return null;
    const parts = Buffer.from(token.slice(1), 'base64url').toString('utf8').split('|');
    if (parts.length !== 6 || parts[0] !== 's1') return null;
    if (fnv1a(parts.slice(0, 5).join('|')) !== parts[5]) return null;
    if (parts[1] !== fnv1a(calendarId)) return null;
    const epoch = Number(parts[2]);
    const position = Number(parts[3]);
    if (!Number.isInteger(epoch) || !Number.isInteger(position)) return null;
    return { epoch, position, singleEvents: parts[4] === '1' };
}

export interface PageTokenData {
    /** `k` keyset over creation order, `c` change-log positions, `o` offset into a computed list. */
    kind: 'k' | 'c' | 'o';
    /** Hash of the query (every parameter except pageToken and maxResults). */
    query: string;
    after: number;
    /** The change-log head when the listing began: it becomes the listing's nextSyncToken. */
    snapshot: number;
    /** The change-log head when this page was served: what changed after it on earlier pages is served again. */
    mark: number;
}

export function encodePageToken(data: PageTokenData): string {
    const body = `p1|${data.kind}|${data.query}|${data.after}|${data.snapshot}|${data.mark}`;
    return `E${Buffer.from(`${body}|${fnv1a(body)}`).toString('base64url')}`;
}

export function decodePageToken(token: string): PageTokenData | null {
    if (!token.startsWith('E')) return null;
    const parts = Buffer.from(token.slice(1), 'base64url').toString('utf8').split('|');
    if (parts.length !== 7 || parts[0] !== 'p1') return null;
    if (fnv1a(parts.slice(0, 6).join('|')) !== parts[6]) return null;
    const kind = parts[1];
    if (kind !== 'k' && kind !== 'c' && kind !== 'o') return null;
    const after = Number(parts[3]);
    const snapshot = Number(parts[4]);
    const mark = Number(parts[5]);
    if (!Number.isInteger(after) || !Number.isInteger(snapshot) || !Number.isInteger(mark)) return null;
    return { kind, query: parts[2] ?? '', after, snapshot, mark };
}
