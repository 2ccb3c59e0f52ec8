/**
 * Errors Nango's API answers, as the backend sees them. Shapes read in NangoHQ/nango:
 * - every public endpoint: `{ error: { code, message?, payload?, errors? } }` (packages/shared/lib/utils/error.manager.ts
 *   `errResFromNangoErr`, and the controllers' zod validation answers `{ error: { code: 'invalid_query_params', errors } }`);
 * - a script's `throw new nango.ActionError(payload)`: the runner tags it `action_script_runtime_error`, status 500
 *   (packages/runner-sdk/lib/errors.ts, packages/runner/lib/exec.ts), and POST /action/trigger answers
 *   500 `{ error: { message, code: 'action_script_runtime_error', payload } }`; other script failures are
 *   `action_script_failure` (packages/shared/lib/clients/orchestrator.ts). Nango's docs show the older body
 *   `{ error_type: 'action_script_failure', payload }` (docs/reference/functions/functions-sdk.mdx); both are read.
 */

export interface NangoErrorBody {
    code: string;
    message: string | undefined;
    payload: unknown;
}

/** A refusal of Nango's API (bad key, unknown connection, bad query...). */
export class NangoApiError extends Error {
    constructor(
        readonly status: number,
        readonly code: string,
        message: string,
        readonly body: unknown
    ) {
        super(`Nango answered ${status} ${code}: ${message}`);
        this.name = 'NangoApiError';
    }
}

const ACTION_FAILURES = new Set(['action_script_runtime_error', 'action_script_failure']);

/** An action ran and failed: `payload` is what the script put in its ActionError (or the failure's details). */
export class ActionError extends Error {
    constructor(
        readonly integration: string,
        readonly action: string,
        readonly code: string,
        readonly payload: Record<string, unknown>
    ) {
        super(`${integration}/${action} failed (${code})${typeof payload['message'] === 'string' ? `: ${payload['message']}` : ''}`);
        this.name = 'ActionError';
    }
}

function isObject(value: unknown): value is Record<string, unknown> {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Nango's error body, in either shape; undefined when the body is not one. */
export function readErrorBody(body: unknown): NangoErrorBody | undefined {
    if (!isObject(body)) {
        return undefined;
    }
    if (typeof body['error_type'] === 'string') {
        return { code: body['error_type'], message: undefined, payload: body['payload'] };
    }
    const error = body['error'];
    if (isObject(error) && typeof error['code'] === 'string') {
        return {
            code: error['code'],
            message: typeof error['message'] === 'string' ? error['message'] : undefined,
            payload: error['payload'] ?? error['errors']
        };
    }
    return undefined;
}

export function isActionFailure(error: NangoErrorBody): boolean {
    return ACTION_FAILURES.has(error.code);
}

export function actionPayload(payload: unknown): Record<string, unknown> {
    return isObject(payload) ? payload : payload === undefined ? {} : { message: payload };
}

interface HttpErrorLike {
    response?: { status?: number; data?: unknown };
}

/** The status and body of an axios error (what @nangohq/node throws on a non-2xx answer). */
export function httpErrorOf(error: unknown): { status: number; body: unknown } | undefined {
    if (!isObject(error)) {
        return undefined;
    }
    const response = (error as HttpErrorLike).response;
    return response && typeof response.status === 'number' ? { status: response.status, body: response.data } : undefined;
}

export function toNangoApiError(error: unknown): unknown {
    const http = httpErrorOf(error);
    if (!http) {
        return error;
    }
    const body = readErrorBody(http.body);
    return new NangoApiError(http.status, body?.code ?? 'unknown_error', body?.message ?? JSON.stringify(http.body), http.body);
}

/** A record of the cache that does not match its model's schema. */
export class RecordValidationError extends Error {
    constructor(
        readonly model: string,
        readonly recordId: string,
        readonly issues: string
    ) {
        super(`${model} record ${recordId} does not match models.ts: ${issues}`);
        this.name = 'RecordValidationError';
    }
}
