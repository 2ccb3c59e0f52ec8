import { generatedHasAttachment } from './seed.js';
import { labelFromSearchName } from './labels.js';
import { hasAttachment as treeHasAttachment } from './payload.js';
import type { Mailbox, StoredMessage } from './store.js';
import { parseMime } from './mime.js';

/**
 * The subset of Gmail's search syntax (`q`) the simulator understands: after:/before: (epoch seconds, or a date
 * read as midnight PST as Gmail documents), newer_than:/older_than: (Nd, Nm, Ny), label:, in:, is:, has:attachment,
 * rfc822msgid:, each optionally negated with `-`, all ANDed. Anything else is refused with a 400 naming the term, so a script
 * never receives silently wrong results from a filter the simulator ignores. https://support.google.com/mail/answer/7190
 */
export type MessagePredicate = (message: StoredMessage) => boolean;

export interface ParsedQuery {
    predicate: MessagePredicate;
    /** The query names SPAM or TRASH itself (in:trash, in:anywhere, label:spam), so they are not excluded. */
    includesSpamTrash: boolean;
}

export class QueryError extends Error {}

const PST_OFFSET_MS = 8 * 3_600_000;

function parseInstant(value: string): number {
    if (/^\d+$/.test(value)) return Number(value) * 1000;
    const date = /^(\d{4})[/-](\d{1,2})[/-](\d{1,2})$/.exec(value);
    if (!date) throw new QueryError(`Invalid date in search query: ${value}`);
    return Date.UTC(Number(date[1]), Number(date[2]) - 1, Number(date[3])) + PST_OFFSET_MS;
}

function parseAge(value: string): number {
    const match = /^(\d+)([dmy])$/.exec(value);
    if (!match) throw new QueryError(`Invalid relative date in search query: ${value}`);
    const days = { d: 1, m: 30, y: 365 }[match[2] as 'd' | 'm' | 'y'];
    return Number(match[1]) * days * 86_400_000;
}

function hasAttachment(message: StoredMessage): boolean {
    if (message.raw !== undefined) return treeHasAttachment(parseMime(message.raw));
    return generatedHasAttachment(message.seed);
}

export function parseQuery(q: string, mailbox: Mailbox): ParsedQuery {
    const predicates: MessagePredicate[] = [];
    let includesSpamTrash = false;
    const now = mailbox.clock.now();
    for (const rawTerm of q.trim().split(/\s+/).filter(Boolean)) {
        const negated = rawTerm.startsWith('-');
        const term = negated ? rawTerm.slice(1) : rawTerm;
        const colon = term.indexOf(':');
        if (colon <= 0) throw new QueryError(`Free-text search is not simulated: "${rawTerm}"`);
        const operator = term.slice(0, colon).toLowerCase();
        const value = term.slice(colon + 1);
        let predicate: MessagePredicate;
        switch (operator) {
            case 'after': {
                const at = parseInstant(value);
                predicate = (m) => m.internalDate >= at;
                break;
            }
            case 'before': {
                const at = parseInstant(value);
                predicate = (m) => m.internalDate < at;
                break;
            }
            case 'newer_than': {
                const at = now - parseAge(value);
                predicate = (m) => m.internalDate >= at;
                break;
            }
            case 'older_than': {
                const at = now - parseAge(value);
                predicate = (m) => m.internalDate < at;
                break;
            }
            case 'label':
            case 'in': {
                const lower = value.toLowerCase();
                if (operator === 'in' && lower === 'anywhere') {
                    if (!negated) includesSpamTrash = true;
                    predicate = () => true;
                    break;
                }
                const label = operator === 'in' && lower === 'chats' ? 'CHAT' : labelFromSearchName(value);
                if (!label) {
                    // Gmail matches nothing for a label that does not exist.
                    predicate = () => false;
                    break;
                }
                if ((label === 'SPAM' || label === 'TRASH') && !negated) includesSpamTrash = true;
                predicate = (m) => m.labelIds.includes(label);
                break;
            }
            case 'is': {
                const lower = value.toLowerCase();
                const label = { unread: 'UNREAD', starred: 'STARRED', important: 'IMPORTANT' }[lower];
                if (lower === 'read') predicate = (m) => !m.labelIds.includes('UNREAD');
                else if (label) predicate = (m) => m.labelIds.includes(label);
                else throw new QueryError(`Search operator is:${value} is not simulated`);
                break;
            }
            case 'rfc822msgid': {
                // "Messages with a certain message-id header" (https://support.google.com/mail/answer/7190): the
                // header's id, given with or without its angle brackets.
                const wanted = value.replace(/^<(.*)>$/, '$1');
                if (wanted === '') throw new QueryError('Search operator rfc822msgid: needs a Message-ID');
                predicate = (m) => mailbox.rfcMessageId(m).replace(/^<(.*)>$/, '$1') === wanted;
                break;
            }
            case 'has': {
                if (value.toLowerCase() !== 'attachment') throw new QueryError(`Search operator has:${value} is not simulated`);
                predicate = (m) => hasAttachment(m);
                break;
            }
            default:
                throw new QueryError(`Search operator ${operator}: is not simulated`);
        }
        predicates.push(negated ? (m) => !predicate(m) : predicate);
    }
    return { predicate: (m) => predicates.every((p) => p(m)), includesSpamTrash };
}
