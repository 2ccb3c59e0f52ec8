import { Random } from '../common/random.js';
import type { MimeNode } from './mime.js';

/**
 * Shapes real Gmail answers have and clean generated mail lacks, applied as a last pass over a generated message
 * with a generator of its own, so the draws that built the message stay as they were. Each shape is what live
 * mailboxes show through the Gmail API:
 * - `preheader`: marketing mail pads its preview text with U+034F and U+200C so clients show no body text after it;
 *   Gmail's snippet keeps that padding and is HTML-escaped (`&#39;`, `&amp;`).
 * - `header-case`: header names as the sending mailer wrote them (`Content-type`, `Message-Id`, `Mime-Version`);
 *   RFC 5322 §1.2.2 makes them case-insensitive and Gmail serves them as sent.
 * - `charset-forms`: `text/html;charset=UTF-8` without a space, unquoted lower-case `utf-8`, `us-ascii` with `7bit`.
 * - `utf8-as-latin1`: UTF-8 bytes under an `iso-8859-1` label, as misconfigured mailers send them.
 * - `attachment-cid`: Gmail's own sends give ordinary attachments a Content-ID and an X-Attachment-Id though their
 *   disposition is `attachment`.
 * - `bare-addresses`: From and To as bare `user@host`, without display name or angle brackets.
 * - `no-to`: the owner's message without a To header (a draft whose recipients are not written yet).
 * - `api-plain`: mail sent through the API as a bare RFC 822 text: no Content-Type, no MIME-Version (RFC 2045 §5.2
 *   makes it `text/plain; charset=us-ascii`).
 * - `report`: a bounce, `multipart/report; report-type=delivery-status` (RFC 6522): a human-readable text part, the
 *   `message/delivery-status` part (RFC 3464) and the returned headers as `text/rfc822-headers`, none with a filename.
 */
export const shapes = [
    'preheader',
    'header-case',
    'charset-forms',
    'utf8-as-latin1',
    'attachment-cid',
    'bare-addresses',
    'no-to',
    'api-plain',
    'report'
] as const;
export type Shape = (typeof shapes)[number];

export const PREHEADER = "Don't miss our offers & news";
const PADDING = ' \u034f\u200c'.repeat(12);

/** The shape a message takes (or none), from its seed alone. */
export function shapeOf(messageSeed: number, fromOwner: boolean): Shape | undefined {
    const random = new Random(messageSeed ^ 0x5a4e);
    if (!random.chance(0.45)) return undefined;
    const shape = random.pick(shapes);
    if ((shape === 'no-to' || shape === 'api-plain') !== fromOwner) return undefined;
    return shape;
}

export function applyShape(tree: MimeNode, shape: Shape | undefined, gmailId: string): MimeNode {
    switch (shape) {
        case undefined:
            return tree;
        case 'preheader':
            return mapLeaves(tree, (leaf) =>
                isUtf8Text(leaf) ? { ...leaf, body: Buffer.concat([Buffer.from(`${PREHEADER}${PADDING}\n`, 'utf8'), leaf.body]) } : leaf
            );
        case 'header-case': {
            const renames: Record<string, string> = {
                'content-type': 'Content-type',
                'message-id': 'Message-Id',
                'mime-version': 'Mime-Version'
            };
            const rename = (node: MimeNode): MimeNode => ({
                ...node,
                headers: node.headers.map(([name, value]) => [renames[name.toLowerCase()] ?? name, value]),
                parts: node.parts.map(rename)
            });
            return rename(tree);
        }
        case 'charset-forms':
            return mapLeaves(tree, (leaf) => {
                if (!isUtf8Text(leaf)) return leaf;
                if (leaf.body.every((byte) => byte < 0x80)) {
                    const headers = setHeader(
                        setHeader(leaf.headers, 'Content-Type', `${leaf.mimeType}; charset=us-ascii`),
                        'Content-Transfer-Encoding',
                        '7bit'
                    );
                    return { ...leaf, headers, params: { charset: 'us-ascii' } };
                }
                const label = leaf.mimeType === 'text/html' ? `${leaf.mimeType};charset=UTF-8` : `${leaf.mimeType}; charset=utf-8`;
                return { ...leaf, headers: setHeader(leaf.headers, 'Content-Type', label) };
            });
        case 'utf8-as-latin1':
            return mapLeaves(tree, (leaf) =>
                isUtf8Text(leaf)
                    ? {
                          ...leaf,
                          headers: setHeader(leaf.headers, 'Content-Type', `${leaf.mimeType}; charset="iso-8859-1"`),
                          params: { charset: 'iso-8859-1' }
                      }
                    : leaf
            );
        case 'attachment-cid':
            return mapLeaves(tree, (leaf, index) => {
                const disposition = leaf.headers.find(([name]) => name.toLowerCase() === 'content-disposition')?.[1] ?? '';
                if (!/^attachment/i.test(disposition)) return leaf;
                const id = `f_${gmailId}${index}`;
                return { ...leaf, headers: [...leaf.headers, ['Content-ID', `<${id}>`], ['X-Attachment-Id', id]] };
            });
        case 'bare-addresses':
            return {
                ...tree,
                headers: tree.headers.map(([name, value]) =>
                    /^(from|to)$/i.test(name)
                        ? [
                              name,
                              value
                                  .replace(/(?:[^,<]*<([^>]+)>)/g, '$1')
                                  .replace(/\s*,\s*/g, ', ')
                                  .trim()
                          ]
                        : [name, value]
                )
            };
        case 'no-to':
            return { ...tree, headers: tree.headers.filter(([name]) => name.toLowerCase() !== 'to') };
        case 'report': {
            if (hasNamedLeaf(tree)) return tree;
            const to = tree.headers.find(([name]) => name.toLowerCase() === 'to')?.[1] ?? '';
            const recipient = /<([^>]+)>/.exec(to)?.[1] ?? to.trim();
            const envelope = tree.headers.filter(([name]) => !/^(content-|mime-version$)/i.test(name));
            const text = (mimeType: string, body: string): MimeNode => ({
                headers: [['Content-Type', `${mimeType}; charset="UTF-8"`]],
                mimeType,
                params: { charset: 'utf-8' },
                body: Buffer.from(body, 'utf8'),
                parts: []
            });
            const status: MimeNode = {
                headers: [['Content-Type', 'message/delivery-status']],
                mimeType: 'message/delivery-status',
                params: {},
                body: Buffer.from(
                    `Reporting-MTA: dns; googlemail.com\r\n\r\nFinal-Recipient: rfc822; ${recipient}\r\nAction: failed\r\nStatus: 5.1.1\r\n`
                ),
                parts: []
            };
            const boundary = `000000000000${gmailId}r`;
            return {
                headers: [
                    ...envelope.map(([name, value]): [string, string] =>
                        name.toLowerCase() === 'from' ? [name, 'Mail Delivery Subsystem <mailer-daemon@googlemail.com>'] : [name, value]
                    ),
                    ['MIME-Version', '1.0'],
                    ['Content-Type', `multipart/report; boundary="${boundary}"; report-type=delivery-status`]
                ],
                mimeType: 'multipart/report',
                params: { boundary, 'report-type': 'delivery-status' },
                body: Buffer.alloc(0),
                parts: [
                    text('text/plain', `Address not found\n\nYour message wasn't delivered to ${recipient}.\n`),
                    status,
                    text('text/rfc822-headers', `To: ${to}\r\n`)
                ]
            };
        }
        case 'api-plain': {
            // Only a message without files becomes a bare text, so `has:attachment` (answered from the seed) stays true.
            if (hasNamedLeaf(tree)) return tree;
            const text = firstText(tree) ?? Buffer.from('Sent from the API.\n');
            const headers = tree.headers.filter(
                ([name]) => !/^(mime-version|content-type|content-transfer-encoding)$/i.test(name) && !/^content-/i.test(name)
            );
            return {
                headers,
                mimeType: 'text/plain',
                params: {},
                body: Buffer.from(text.toString('utf8').replace(/[\u0080-\uffff]/g, '?')),
                parts: []
            };
        }
    }
}

function isUtf8Text(leaf: MimeNode): boolean {
    return (leaf.mimeType === 'text/plain' || leaf.mimeType === 'text/html') && leaf.params['charset'] === 'utf-8' && !leaf.params['name'];
}

function hasNamedLeaf(node: MimeNode): boolean {
    return node.parts.length === 0 ? Boolean(node.params['name']) : node.parts.some(hasNamedLeaf);
}

function firstText(node: MimeNode): Buffer | undefined {
    if (node.parts.length === 0) return node.mimeType === 'text/plain' && !node.params['name'] ? node.body : undefined;
    for (const part of node.parts) {
        const hit = firstText(part);
        if (hit) return hit;
    }
    return undefined;
}

function mapLeaves(node: MimeNode, change: (leaf: MimeNode, index: number) => MimeNode): MimeNode {
    let index = 0;
    const visit = (current: MimeNode): MimeNode =>
        current.parts.length === 0 ? change(current, index++) : { ...current, parts: current.parts.map(visit) };
    return visit(node);
}

function setHeader(headers: [string, string][], name: string, value: string): [string, string][] {
    const lower = name.toLowerCase();
    return headers.map(([key, old]) => [key, key.toLowerCase() === lower ? value : old]);
}
