import { z } from 'zod';

/**
 * What Nango's servers refuse beyond the runner SDK, and how the script hears of it (read in NangoHQ/nango @2f4c0af).
 * `nango dryrun` checks none of it, so the runtime does: a script that passes here is not refused once deployed.
 */

export interface PlatformLimits {
    /**
     * One records request (a chunk of batchSave/batchUpdate/batchDelete) as JSON, in bytes. Persist parses the
     * records routes with `express.json({ limit: '100mb' })` (packages/persist/lib/server.ts maxSizeJsonRecords);
     * body-parser reads '100mb' as 100 × 1024 × 1024. Tests lower it rather than build 100 MB.
     */
    recordsRequestBytes: number;
    /**
     * A webhook function (a sync's onWebhook) from start to end: the orchestrator schedules it with
     * `timeoutSettingsInSecs.startedToCompleted: 60 * 60` and no retry (packages/orchestrator/lib/clients/client.ts
     * buildWebhookSchedulingProps), then expires the task.
     */
    webhookRunMs: number;
    /** An on-event script: `startedToCompleted: 5 * 60`, no retry (the same file, executeOnEvent). */
    onEventRunMs: number;
}

export const NANGO_LIMITS: PlatformLimits = {
    recordsRequestBytes: 100 * 1024 * 1024,
    webhookRunMs: 60 * 60 * 1000,
    onEventRunMs: 5 * 60 * 1000
};

// -------------------------------------------------------------------------------------------------------------
// Checkpoints
// -------------------------------------------------------------------------------------------------------------

/**
 * packages/shared/lib/services/checkpoints/checkpoints.ts: a record of at most 16 fields, keys at most 255
 * characters, values string (at most 4,000 characters), number or boolean. Persist's PUT /checkpoint parses its
 * body with that schema (routes/.../checkpoint/validate.ts), so a refused checkpoint never reaches upsertCheckpoint:
 * validateRequest (packages/utils/lib/express/validate.ts) answers 400 `invalid_request` with the zod issues.
 */
const CHECKPOINT_MAX_FIELDS = 16;
const checkpointValue = z.union([z.string().max(4000), z.number(), z.boolean()]);
const persistedCheckpoint = z
    .record(z.string().max(255), checkpointValue)
    .refine((value) => Object.keys(value).length <= CHECKPOINT_MAX_FIELDS, {
        message: `Checkpoint cannot have more than ${CHECKPOINT_MAX_FIELDS} fields`
    });

/**
 * The checkpoint as persist stores it, or the error the script's saveCheckpoint throws. The runner sends it as JSON
 * without checking it first (packages/runner/lib/sdk/checkpointing.ts), so a Date arrives as its ISO string and an
 * undefined field is dropped; a refusal comes back as
 * `Error saving checkpoint: Failed to save checkpoint: <persist's answer>` (checkpointing.ts, clients/persist.ts).
 */
export function persistCheckpoint(checkpoint: unknown): Record<string, string | number | boolean> {
    const sent = JSON.stringify({ checkpoint });
    const body = JSON.parse(sent) as { checkpoint?: unknown };
    const parsed = persistedCheckpoint.safeParse(body.checkpoint);
    if (parsed.success) return parsed.data;
    throw new Error(`Error saving checkpoint: Failed to save checkpoint: ${invalidRequest(parsed.error, ['checkpoint'])}`);
}

// -------------------------------------------------------------------------------------------------------------
// Records requests
// -------------------------------------------------------------------------------------------------------------

/** packages/persist/lib/routes/.../job/jobId/validate.ts: every record has an id, a string of 1 to 255 characters or a number. */
const recordsOfRequest = z.array(z.object({ id: z.union([z.string().min(1).max(255), z.number()]) }).catchall(z.unknown())).nonempty();

export type RecordsWrite = 'save' | 'update' | 'delete';

/** packages/runner/lib/clients/persist.ts words each failure by the call that made it. */
const FAILED: Record<RecordsWrite, string> = {
    save: 'Failed to save records',
    update: 'Failed to update records',
    delete: 'Failed to delete records'
};

/** An activity log id as Nango makes them (operationIdRegex: 20 to 25 word characters), for counting bytes. */
const ACTIVITY_LOG_ID = 'local0000000000000000';

export interface RecordsRequest {
    model: string;
    records: unknown[];
    providerConfigKey: string;
    connectionId: string;
    merging: unknown;
}

/** The size of the body the runner would post for this chunk. */
export function recordsRequestBytes(envelope: RecordsRequest): number {
    return Buffer.byteLength(JSON.stringify({ ...envelope, activityLogId: ACTIVITY_LOG_ID }), 'utf8');
}

/**
 * Refuses one chunk as persist does, throwing what the runner throws. The runner posts
 * `{ model, records, providerConfigKey, connectionId, activityLogId, merging }` (clients/persist.ts postRecords);
 * body-parser refuses it past the limit and persist's error handler answers 400 `request_too_large`; then the
 * body's schema refuses a bad id with 400 `invalid_request`.
 */
export function checkRecordsRequest(write: RecordsWrite, envelope: RecordsRequest, limits: PlatformLimits): void {
    if (recordsRequestBytes(envelope) > limits.recordsRequestBytes) {
        throw new Error(`${FAILED[write]}: ${JSON.stringify({ error: { code: 'request_too_large', message: 'Entity too large' } })}`);
    }
    const parsed = recordsOfRequest.safeParse(JSON.parse(JSON.stringify(envelope.records)));
    if (!parsed.success) throw new Error(`${FAILED[write]}: ${invalidRequest(parsed.error, ['records'])}`);
}

// -------------------------------------------------------------------------------------------------------------
// Action output
// -------------------------------------------------------------------------------------------------------------

/** packages/runner/lib/exec.ts: outside Enterprise plans, an action's output is at most 2 MB of JSON. */
export const ACTION_OUTPUT_MAX_BYTES = 2 * 1024 * 1024;

/**
 * The runner's message for an output over the limit, or null. It checks only a truthy output, after the script
 * returned; the plain Error it throws reaches the caller as script_internal_error.
 */
export function actionOutputTooLarge(output: unknown): string | null {
    if (!output) return null;
    const bytes = Buffer.byteLength(JSON.stringify(output) ?? '', 'utf8');
    if (bytes <= ACTION_OUTPUT_MAX_BYTES) return null;
    return (
        `Output size is too large: ${bytes} bytes. Maximum allowed size is ${ACTION_OUTPUT_MAX_BYTES} bytes (2MB). ` +
        'See the deprecation announcement: https://nango.dev/docs/updates/dev#august-22-2025'
    );
}

// -------------------------------------------------------------------------------------------------------------
// Logs
// -------------------------------------------------------------------------------------------------------------

/** packages/utils/lib/json.ts MAX_LOG_PAYLOAD. */
export const MAX_LOG_PAYLOAD = 99_000;

/**
 * `nango.log(message, payload?)` as the runner records it (packages/runner/lib/sdk/sdk.ts log, sendLogToPersist):
 * only the first two arguments count. The message is kept as is when it is a string (else its JSON) and cut to
 * 99,000 bytes of UTF-8, never inside a character, then marked `... (truncated)` (utils stringifyAndTruncateValue,
 * truncateBytes). When the whole log entry still serializes to more than 99,000 characters, the message gets
 * ` ... (truncated, payload was too large)` and the payload is cut down to fit.
 */
export function runnerLogEntry(args: unknown[], level: string): { message: string; payload?: unknown } {
    const [first, second] = args;
    let message = first === null ? 'null' : first === undefined ? 'undefined' : typeof first === 'string' ? first : safeJson(first);
    const cut = truncateBytes(message, MAX_LOG_PAYLOAD);
    if (cut !== message) message = `${cut}... (truncated)`;
    if (args.length < 2 || !second) return { message };

    // Arrays are not allowed as log meta: the runner turns them into objects keyed by index.
    let payload: unknown = Array.isArray(second) ? Object.fromEntries(second.map((item, i) => [i, item])) : second;
    const entry = { type: 'log', level, source: 'user', message, meta: payload, createdAt: new Date(0).toISOString() };
    if (safeJson({ activityLogId: ACTIVITY_LOG_ID, log: entry }).length > MAX_LOG_PAYLOAD) {
        message += ' ... (truncated, payload was too large)';
        payload = shrinkToFit(payload, MAX_LOG_PAYLOAD);
    }
    return { message, payload };
}

function truncateBytes(text: string, maxBytes: number): string {
    if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
    let low = 0;
    let high = text.length;
    while (high - low > 1) {
        const mid = Math.floor((low + high) / 2);
        if (Buffer.byteLength(text.slice(0, mid), 'utf8') <= maxBytes) low = mid;
        else high = mid;
    }
    return text.slice(0, low);
}

/**
 * Nango cuts the payload with the truncate-json package, which drops the properties that do not fit; here the
 * largest top-level properties go first until the rest fits. The message says a cut happened either way.
 */
function shrinkToFit(payload: unknown, maxChars: number): unknown {
    if (!payload || typeof payload !== 'object') return safeJson(payload).length <= maxChars ? payload : undefined;
    const kept: Record<string, unknown> = { ...(payload as Record<string, unknown>) };
    const bySize = Object.keys(kept).sort((a, b) => safeJson(kept[b]).length - safeJson(kept[a]).length);
    for (const key of bySize) {
        if (safeJson(kept).length <= maxChars) break;
        delete kept[key];
    }
    return kept;
}

// -------------------------------------------------------------------------------------------------------------

function invalidRequest(error: z.ZodError, prefix: string[]): string {
    const errors = error.issues.map((issue) => ({
        code: issue.code,
        message: issue.message,
        path: [...prefix, ...issue.path.map((p) => String(p))]
    }));
    return JSON.stringify({ error: { code: 'invalid_request', errors } });
}

function safeJson(value: unknown): string {
    try {
        return JSON.stringify(value) ?? String(value);
    } catch {
        return String(value);
    }
}
