/** The receiver behind Node's `http` server: reads the raw body (the signature covers its exact bytes). */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { WebhookReceiver } from './receiver.js';

/** Nango's webhook bodies are small; anything this large is not one. */
const MAX_BODY_BYTES = 1024 * 1024;

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
        const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
        size += buffer.length;
        if (size > MAX_BODY_BYTES) {
            return undefined;
        }
        chunks.push(buffer);
    }
    return Buffer.concat(chunks);
}

function answer(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
}

export function nodeWebhookListener(receiver: WebhookReceiver): RequestListener {
    return (req, res) => {
        if (req.method !== 'POST') {
            answer(res, 405, { error: 'method_not_allowed' });
            return;
        }
        readBody(req).then(
            (body) => {
                if (!body) {
                    answer(res, 413, { error: 'body_too_large' });
                    return;
                }
                const { status, body: reply } = receiver.handle(body, req.headers);
                answer(res, status, reply);
            },
            () => answer(res, 400, { error: 'unreadable_body' })
        );
    };
}
