import type { gmail_v1 } from '@googleapis/gmail';
import { HttpResponse } from 'msw';
import { GmailError, invalidArgument, notFound } from './errors.js';
import { immutableLabels, isKnownLabel, systemLabels, userLabels } from './labels.js';
import { listHistory, listMessages, listThreads, type ListParams } from './listing.js';
import { findPart, formats, parseAttachmentId, toMessage, toThread, type Format } from './payload.js';
import type { Route, RouteContext } from './router.js';
import { decodeRaw, sendMessage } from './send.js';
import { historyTypes, type HistoryType, type Mailbox, type StoredMessage } from './store.js';

/** Gmail's quota cost per method. https://developers.google.com/gmail/api/reference/quota */
export const gmailUnits = {
    getProfile: 1,
    'labels.list': 1,
    'history.list': 2,
    'messages.list': 5,
    'messages.get': 5,
    'messages.modify': 5,
    'messages.trash': 5,
    'messages.untrash': 5,
    'messages.attachments.get': 5,
    'messages.delete': 10,
    'threads.list': 10,
    'threads.get': 10,
    'threads.modify': 10,
    'threads.trash': 10,
    'threads.untrash': 10,
    'threads.delete': 20,
    'messages.send': 100,
    stop: 50,
    watch: 100
} as const;

const V1 = '/gmail/v1/users/:userId';

function json(body: unknown): Response {
    return HttpResponse.json(body as Record<string, unknown>, { headers: { 'content-type': 'application/json; charset=UTF-8' } });
}

function checkUser(mailbox: Mailbox, context: RouteContext): void {
    const userId = context.params['userId'] ?? '';
    if (userId === 'me' || userId.toLowerCase() === mailbox.owner.address.toLowerCase()) return;
    throw new GmailError(403, 'forbidden', `Delegation denied for ${mailbox.owner.address}`);
}

function checkId(id: string | undefined): string {
    if (!id || !/^[0-9a-fA-F]{1,24}$/.test(id)) throw invalidArgument('Invalid id value');
    return id.toLowerCase();
}

function maxResults(url: URL, fallback = 100, cap = 500): number {
    const raw = url.searchParams.get('maxResults');
    if (raw === null) return fallback;
    if (!/^\d+$/.test(raw)) throw new GmailError(400, 'invalid', `Invalid value at 'max_results' (TYPE_UINT32), "${raw}"`);
    const value = Number(raw);
    // Gmail serves at most `cap` whatever is asked; 0 means the default.
    return value === 0 ? fallback : Math.min(value, cap);
}

function booleanParam(url: URL, name: string): boolean {
    const raw = url.searchParams.get(name);
    if (raw === null) return false;
    if (raw === 'true' || raw === 'false') return raw === 'true';
    throw new GmailError(400, 'invalid', `Invalid value at '${name}' (TYPE_BOOL), "${raw}"`);
}

function formatParam(url: URL, allowRaw: boolean): Format {
    const raw = url.searchParams.get('format');
    if (raw === null) return 'full';
    const lower = raw.toLowerCase() as Format;
    if (!formats.includes(lower) || (lower === 'raw' && !allowRaw)) {
        throw new GmailError(400, 'invalid', `Invalid value at 'format' (type.googleapis.com/gmail.v1.Format), "${raw}"`);
    }
    return lower;
}

function listParams(context: RouteContext): ListParams {
    const { url } = context;
    return {
        q: url.searchParams.get('q') ?? '',
        labelIds: url.searchParams.getAll('labelIds'),
        includeSpamTrash: booleanParam(url, 'includeSpamTrash'),
        maxResults: maxResults(url),
        pageToken: url.searchParams.get('pageToken') ?? undefined
    };
}

async function readJson(request: Request): Promise<Record<string, unknown>> {
    return parseJsonObject(await request.text());
}

function parseJsonObject(text: string): Record<string, unknown> {
    if (text.trim() === '') return {};
    try {
        const body: unknown = JSON.parse(text);
        if (body && typeof body === 'object' && !Array.isArray(body)) return body as Record<string, unknown>;
    } catch {
        // fall through to Google's parse error
    }
    throw new GmailError(400, 'parseError', 'Invalid JSON payload received.');
}

/** messages.send JSON bodies above this answer 413 (third-party reports: ~5 MB; docs send larger mail through /upload). */
export const JSON_SEND_LIMIT = 5 * 1024 * 1024;
/** The upload endpoint's documented maximum message size. */
export const UPLOAD_SEND_LIMIT = 35 * 1024 * 1024;

function checkUploadSize(bytes: Buffer): Buffer {
    if (bytes.length > UPLOAD_SEND_LIMIT) throw new GmailError(413, 'uploadTooLarge', 'Request Entity Too Large');
    return bytes;
}

/** multipart/related upload: the first part is the JSON metadata, the second the message/rfc822 media. */
function splitMultipartUpload(contentType: string, bytes: Buffer): { metadata: Record<string, unknown>; media: Buffer } {
    const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
    if (!contentType.toLowerCase().startsWith('multipart/related') || !boundary) {
        throw invalidArgument('Multipart upload needs a multipart/related body with a boundary');
    }
    const text = bytes.toString('latin1');
    const parts = text
        .split(new RegExp(`\r?\n?--${boundary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?:--)?[ \t]*\r?\n?`))
        .filter((part) => part.trim() !== '');
    if (parts.length !== 2) throw invalidArgument('Multipart upload needs exactly a metadata part and a media part');
    const [metaPart, mediaPart] = parts.map((part) => {
        const split = /\r?\n\r?\n/.exec(part);
        return split ? { head: part.slice(0, split.index), body: part.slice(split.index + split[0].length) } : { head: part, body: '' };
    }) as [{ head: string; body: string }, { head: string; body: string }];
    if (!/content-type:\s*message\//i.test(mediaPart.head)) throw invalidArgument('The media part must be message/*');
    return {
        metadata: parseJsonObject(Buffer.from(metaPart.body, 'latin1').toString('utf8')),
        media: Buffer.from(mediaPart.body, 'latin1')
    };
}

function labelList(body: Record<string, unknown>, key: string): string[] {
    const value = body[key];
    if (value === undefined) return [];
    if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
        throw new GmailError(400, 'invalid', `Invalid value at '${key}'`);
    }
    for (const label of value as string[]) {
        if (!isKnownLabel(label) || immutableLabels.has(label)) throw invalidArgument(`Invalid label: ${label}`);
    }
    return value as string[];
}

function minimal(message: StoredMessage): gmail_v1.Schema$Message {
    return { id: message.id, threadId: message.threadId, labelIds: [...message.labelIds] };
}

function messageOf(mailbox: Mailbox, context: RouteContext, key = 'id'): StoredMessage {
    const message = mailbox.messages.get(checkId(context.params[key]));
    if (!message) throw notFound();
    return message;
}

async function send(mailbox: Mailbox, bytes: Buffer, threadId: string | undefined): Promise<Response> {
    const stored = await sendMessage(mailbox, bytes, threadId);
    return json(minimal(stored));
}

export function gmailRoutes(mailbox: Mailbox): Route[] {
    const route = (
        method: Route['method'],
        path: string,
        name: keyof typeof gmailUnits,
        query: string[],
        handle: (context: RouteContext) => Response | Promise<Response>
    ): Route => ({
        method,
        path,
        name,
        units: gmailUnits[name],
        query,
        handle: (context) => {
            checkUser(mailbox, context);
            return handle(context);
        }
    });

    return [
        // https://developers.google.com/gmail/api/reference/rest/v1/users/getProfile
        route('GET', `${V1}/profile`, 'getProfile', [], () => {
            return json({
                emailAddress: mailbox.owner.address,
                messagesTotal: mailbox.messages.size,
                threadsTotal: mailbox.threads.size,
                historyId: String(mailbox.historyId)
            } satisfies gmail_v1.Schema$Profile);
        }),

        // https://developers.google.com/workspace/gmail/api/reference/rest/v1/users/watch
        route('POST', `${V1}/watch`, 'watch', [], async (context) => {
            const answer = mailbox.watch.start(await readJson(context.request), mailbox.historyId);
            return json({
                historyId: String(answer.historyId),
                expiration: String(answer.expiration)
            } satisfies gmail_v1.Schema$WatchResponse);
        }),

        // https://developers.google.com/workspace/gmail/api/reference/rest/v1/users/stop (an empty answer, 204)
        route('POST', `${V1}/stop`, 'stop', [], () => {
            mailbox.watch.stop();
            return new HttpResponse(null, { status: 204 });
        }),

        // https://developers.google.com/gmail/api/reference/rest/v1/users.labels/list
        route('GET', `${V1}/labels`, 'labels.list', [], () =>
            json({
                labels: [
                    ...systemLabels.map((id) => ({ id, name: id, type: 'system' })),
                    ...Object.entries(userLabels).map(([id, name]) => ({ id, name, type: 'user' }))
                ]
            })
        ),

        // https://developers.google.com/gmail/api/reference/rest/v1/users.threads/list
        route('GET', `${V1}/threads`, 'threads.list', ['maxResults', 'pageToken', 'q', 'labelIds', 'includeSpamTrash'], (context) =>
            json(listThreads(mailbox, listParams(context)))
        ),

        // https://developers.google.com/gmail/api/reference/rest/v1/users.threads/get
        route('GET', `${V1}/threads/:id`, 'threads.get', ['format', 'metadataHeaders'], (context) => {
            const thread = mailbox.threads.get(checkId(context.params['id']));
            if (!thread) throw notFound();
            const format = formatParam(context.url, false);
            return json(toThread(mailbox, thread, format, context.url.searchParams.getAll('metadataHeaders')));
        }),

        // https://developers.google.com/gmail/api/reference/rest/v1/users.threads/modify
        route('POST', `${V1}/threads/:id/modify`, 'threads.modify', [], async (context) => {
            const thread = mailbox.threads.get(checkId(context.params['id']));
            if (!thread) throw notFound();
            const body = await readJson(context.request);
            const add = labelList(body, 'addLabelIds');
            const remove = labelList(body, 'removeLabelIds');
            for (const message of [...thread.messages]) mailbox.modifyLabels(message.id, add, remove);
            return json(toThread(mailbox, thread, 'minimal'));
        }),

        // https://developers.google.com/gmail/api/reference/rest/v1/users.threads/trash
        route('POST', `${V1}/threads/:id/trash`, 'threads.trash', [], (context) => {
            const thread = mailbox.threads.get(checkId(context.params['id']));
            if (!thread) throw notFound();
            for (const message of [...thread.messages]) mailbox.trashMessage(message.id);
            return json(toThread(mailbox, thread, 'minimal'));
        }),

        // https://developers.google.com/gmail/api/reference/rest/v1/users.threads/untrash
        route('POST', `${V1}/threads/:id/untrash`, 'threads.untrash', [], (context) => {
            const thread = mailbox.threads.get(checkId(context.params['id']));
            if (!thread) throw notFound();
            for (const message of [...thread.messages]) mailbox.untrashMessage(message.id);
            return json(toThread(mailbox, thread, 'minimal'));
        }),

        // https://developers.google.com/gmail/api/reference/rest/v1/users.threads/delete
        route('DELETE', `${V1}/threads/:id`, 'threads.delete', [], (context) => {
            if (!mailbox.deleteThread(checkId(context.params['id']))) throw notFound();
            return new HttpResponse(null, { status: 204 });
        }),

        // https://developers.google.com/gmail/api/reference/rest/v1/users.messages/list
        route('GET', `${V1}/messages`, 'messages.list', ['maxResults', 'pageToken', 'q', 'labelIds', 'includeSpamTrash'], (context) =>
            json(listMessages(mailbox, listParams(context)))
        ),

        // https://developers.google.com/gmail/api/reference/rest/v1/users.messages/send
        route('POST', `${V1}/messages/send`, 'messages.send', [], async (context) => {
            const text = await context.request.text();
            // The JSON (metadata) endpoint refuses large bodies; big messages go through /upload (reported at ~5 MB).
            if (Buffer.byteLength(text) > JSON_SEND_LIMIT) throw new GmailError(413, 'uploadTooLarge', 'Request Entity Too Large');
            const body = parseJsonObject(text);
            const threadId = body['threadId'];
            if (threadId !== undefined && typeof threadId !== 'string')
                throw new GmailError(400, 'invalid', "Invalid value at 'message.thread_id'");
            return send(mailbox, decodeRaw(body['raw']), threadId);
        }),

        // https://developers.google.com/gmail/api/guides/uploads (media: the body is the message; multipart: JSON metadata, then the message)
        route('POST', `/upload${V1}/messages/send`, 'messages.send', [], async (context) => {
            const type = context.url.searchParams.get('uploadType');
            const contentType = context.request.headers.get('content-type') ?? '';
            const bytes = Buffer.from(await context.request.arrayBuffer());
            if (type === 'media') {
                if (!contentType.toLowerCase().startsWith('message/')) {
                    throw invalidArgument(`Media type '${contentType}' is not supported. Valid media types: [message/*]`);
                }
                return send(mailbox, checkUploadSize(bytes), undefined);
            }
            if (type === 'multipart') {
                const { metadata, media } = splitMultipartUpload(contentType, bytes);
                const threadId = metadata['threadId'];
                if (threadId !== undefined && typeof threadId !== 'string')
                    throw new GmailError(400, 'invalid', "Invalid value at 'message.thread_id'");
                return send(mailbox, checkUploadSize(media), threadId);
            }
            throw invalidArgument(`Upload type ${type ?? '(none)'} is not simulated; use uploadType=media or multipart`);
        }),

        // https://developers.google.com/gmail/api/reference/rest/v1/users.messages/get
        route('GET', `${V1}/messages/:id`, 'messages.get', ['format', 'metadataHeaders'], (context) => {
            const message = messageOf(mailbox, context);
            const format = formatParam(context.url, true);
            return json(toMessage(mailbox, message, format, context.url.searchParams.getAll('metadataHeaders')));
        }),

        // https://developers.google.com/gmail/api/reference/rest/v1/users.messages/modify
        route('POST', `${V1}/messages/:id/modify`, 'messages.modify', [], async (context) => {
            const message = messageOf(mailbox, context);
            const body = await readJson(context.request);
            mailbox.modifyLabels(message.id, labelList(body, 'addLabelIds'), labelList(body, 'removeLabelIds'));
            return json(minimal(message));
        }),

        // https://developers.google.com/gmail/api/reference/rest/v1/users.messages/trash
        route('POST', `${V1}/messages/:id/trash`, 'messages.trash', [], (context) =>
            json(minimal(mailbox.trashMessage(messageOf(mailbox, context).id)!))
        ),

        // https://developers.google.com/gmail/api/reference/rest/v1/users.messages/untrash
        route('POST', `${V1}/messages/:id/untrash`, 'messages.untrash', [], (context) =>
            json(minimal(mailbox.untrashMessage(messageOf(mailbox, context).id)!))
        ),

        // https://developers.google.com/gmail/api/reference/rest/v1/users.messages/delete
        route('DELETE', `${V1}/messages/:id`, 'messages.delete', [], (context) => {
            mailbox.deleteMessage(messageOf(mailbox, context).id);
            return new HttpResponse(null, { status: 204 });
        }),

        // https://developers.google.com/gmail/api/reference/rest/v1/users.messages.attachments/get
        route('GET', `${V1}/messages/:messageId/attachments/:id`, 'messages.attachments.get', [], (context) => {
            const message = messageOf(mailbox, context, 'messageId');
            const ref = parseAttachmentId(context.params['id'] ?? '');
            if (!ref || ref.messageId !== message.id) throw invalidArgument('Invalid attachment token');
            const part = findPart(mailbox.tree(message), ref.partId);
            if (!part || part.parts.length > 0) throw notFound();
            return json({ size: part.body.length, data: part.body.toString('base64url') } satisfies gmail_v1.Schema$MessagePartBody);
        }),

        // https://developers.google.com/gmail/api/reference/rest/v1/users.history/list
        route(
            'GET',
            `${V1}/history`,
            'history.list',
            ['startHistoryId', 'historyTypes', 'labelId', 'maxResults', 'pageToken'],
            (context) => {
                const { url } = context;
                const start = url.searchParams.get('startHistoryId');
                if (start === null) throw invalidArgument('Missing required parameter: startHistoryId');
                if (!/^\d+$/.test(start))
                    throw new GmailError(400, 'invalid', `Invalid value at 'start_history_id' (TYPE_UINT64), "${start}"`);
                const types = url.searchParams.getAll('historyTypes').map((type) => {
                    const known = historyTypes.find((candidate) => candidate.toLowerCase() === type.toLowerCase());
                    if (!known)
                        throw new GmailError(
                            400,
                            'invalid',
                            `Invalid value at 'history_types' (type.googleapis.com/gmail.v1.HistoryType), "${type}"`
                        );
                    return known;
                });
                const result = listHistory(mailbox, {
                    startHistoryId: Number(start),
                    historyTypes: types as HistoryType[],
                    labelId: url.searchParams.get('labelId') ?? undefined,
                    maxResults: maxResults(url),
                    pageToken: url.searchParams.get('pageToken') ?? undefined
                });
                if (result === 'expired') throw notFound();
                return json(result);
            }
        )
    ];
}
