import { ActionError, ExecutionInterruptedSDKError } from '@nangohq/runner-sdk';
import type { NangoProps } from '@nangohq/types';
import type { z } from 'zod';
import { SystemClock, type Clock } from './clock.js';
import { LocalNangoAction } from './nango-action.js';
import { InvalidRecordError, LocalNangoSync, type ModelCounts } from './nango-sync.js';
import { actionOutputTooLarge, NANGO_LIMITS, type PlatformLimits } from './platform-limits.js';
import { ProxyHttpError, type ProxyTransport } from './proxy.js';
import type { RecordsStore } from './records-store.js';
import { RunContext, type HttpAnswerHook, type LogEntry, type RunContextOptions, type RunProgress } from './run-context.js';
import { loadScript, type ScriptDefinition, type ScriptKind } from './sandbox.js';
import { ModelValidator, toJsonSchemaDefinitions } from './validation.js';

export interface RunOptions {
    integration: string;
    name: string;
    store: RecordsStore;
    /** Default 'local'. */
    connectionId?: string | undefined;
    /** Sent as `Authorization: Bearer <token>`. Default 'test-access-token'. */
    accessToken?: string | undefined;
    /** E.g. Salesforce `{ instance_url }`. Merged into the connection's saved config, which the run then uses. */
    connectionConfig?: Record<string, unknown> | undefined;
    /** Default: the system clock. */
    clock?: Clock | undefined;
    /** Run the `nango compile` output in build/ instead of bundling the TypeScript. */
    from?: 'source' | 'compiled' | undefined;
    /** Where the Nango folder is; defaults to the repository's nango-integrations/. Tests point this at fixtures. */
    integrationsDir?: string | undefined;
    /** Not in Nango: caps any single retry wait (Retry-After can ask for minutes). */
    maxRetryWaitMs?: number | undefined;
    /** Nango's limits by default; tests lower `recordsRequestBytes` rather than build 100 MB. */
    limits?: Partial<PlatformLimits> | undefined;
    /** What sends the HTTP attempts instead of the host's fetch (a replay answers from a recording). */
    transport?: ProxyTransport | undefined;
}

/**
 * The simulated crash, as when a worker dies: once the cut point is reached, every SDK call throws
 * ExecutionInterruptedSDKError and nothing more reaches the store (no save, checkpoint or metadata write) or the
 * provider, even if the script catches the error; the run ends 'interrupted'.
 */
export interface RunSyncOptions extends RunOptions {
    /** The run is cut right after this many saveCheckpoint calls, as when Nango stops a long run or a worker dies. */
    stopAfterCheckpoints?: number | undefined;
    /**
     * The run is cut right after the proxy received this many HTTP answers (retries included; a network error is no
     * answer): the provider applied the call, the script never sees the answer.
     */
    stopAfterHttpAnswers?: number | undefined;
    /** The run is cut right after this many batchSave/batchDelete/batchUpdate calls were stored (empty calls store nothing). */
    stopAfterSaves?: number | undefined;
    /** Called after each HTTP answer, before the script sees it (and before a stopAfterHttpAnswers cut), so a test can change the provider mid-run. */
    onHttpAnswer?: HttpAnswerHook | undefined;
    onProgress?: ((progress: RunProgress) => void) | undefined;
}

export interface RunActionOptions extends RunOptions {
    input?: unknown;
    /** The action is cut right after this many HTTP answers: the provider applied the call, the caller sees a failure. */
    stopAfterHttpAnswers?: number | undefined;
    onHttpAnswer?: HttpAnswerHook | undefined;
}

export interface RunError {
    message: string;
    /** Nango's error type: script_http_error, invalid_sync_record, script_internal_error... */
    type: string;
    /** HTTP status for provider errors. */
    status?: number;
    payload?: unknown;
    /** For script errors: the top frames inside the script's bundle (line numbers are the bundle's), as dryrun shows. */
    stack?: string[];
}

export interface SyncResult {
    status: 'success' | 'failed' | 'interrupted';
    error?: RunError;
    byModel: Record<string, ModelCounts>;
    /** HTTP attempts, retries included. */
    calls: number;
    /** saveCheckpoint calls. */
    checkpoints: number;
    /** Records passed to batchSave. */
    records: number;
    /** HTTP answers received (attempts that got a status), retries included: the range of stopAfterHttpAnswers. */
    httpAnswers: number;
    /** batchSave/batchDelete/batchUpdate calls stored: the range of stopAfterSaves. */
    saves: number;
    /** Time on the run's clock. */
    elapsedMs: number;
    logs: LogEntry[];
}

export type ActionResult<T = unknown> =
    | { status: 'success'; output: T; calls: number; logs: LogEntry[]; elapsedMs: number }
    | {
          status: 'failed';
          error: { error_type: string; message: string; payload: Record<string, unknown>; status?: number };
          calls: number;
          logs: LogEntry[];
          elapsedMs: number;
      };

const DEFAULT_TOKEN = 'test-access-token';

export interface RunWebhookOptions extends RunSyncOptions {
    /** What Nango's webhook routing forwards for this notification (routePush's `payload`). */
    payload: unknown;
}

export async function runSync(options: RunSyncOptions): Promise<SyncResult> {
    return runSyncScript(options, 'sync', undefined);
}

/**
 * A sync's `onWebhook(nango, payload)`, as Nango's runner calls it for scriptType 'webhook'
 * (packages/runner/lib/exec.ts): the sync's own definition and models, a NangoSync object, the payload as the
 * orchestrator stored it (`JSON.parse(JSON.stringify(input))`, packages/shared/lib/clients/orchestrator.ts
 * triggerWebhook), its own checkpoint slot (`webhook:<sync>`, not the sync's) and the 1-hour limit.
 */
export async function runWebhook(options: RunWebhookOptions): Promise<SyncResult> {
    return runSyncScript(options, 'webhook', options.payload);
}

async function runSyncScript(options: RunSyncOptions, scriptType: 'sync' | 'webhook', payload: unknown): Promise<SyncResult> {
    const clock = options.clock ?? new SystemClock();
    const started = clock.now();
    const base = { byModel: {}, calls: 0, checkpoints: 0, records: 0, httpAnswers: 0, saves: 0, elapsedMs: 0, logs: [] };
    const loaded = await load(options, 'syncs', clock, base.logs);
    if ('error' in loaded) return { ...base, status: 'failed', error: loaded.error };
    const definition = loaded.definition;
    // The runner's own words (exec.ts) for a webhook run of the wrong script or of a sync without onWebhook.
    const refusal =
        definition.type !== 'sync'
            ? scriptType === 'webhook'
                ? 'Incorrect script loaded for webhook'
                : `${options.name} is a ${definition.type}, not a sync`
            : scriptType === 'webhook' && typeof definition.onWebhook !== 'function'
              ? 'Missing onWebhook function'
              : undefined;
    if (refusal) return { ...base, status: 'failed', error: { type: 'script_internal_error', message: refusal } };

    const models = definition.models ?? {};
    const limits = { ...NANGO_LIMITS, ...options.limits };
    const run = context(
        options,
        clock,
        definition.checkpoint,
        scriptType === 'webhook'
            ? {
                  checkpointKey: checkpointKey('webhook', options.name),
                  timeLimit: { ms: limits.webhookRunMs, what: `the webhook function limit (${limits.webhookRunMs / 60_000} min)` }
              }
            : {}
    );
    run.logs.push(...base.logs);
    const validator = new ModelValidator(toJsonSchemaDefinitions(models), definition.version);
    const nango = new LocalNangoSync(props(options, scriptType, clock, validator, definition), run, validator, Object.keys(models));

    let status: SyncResult['status'] = 'success';
    let error: RunError | undefined;
    try {
        if (scriptType === 'webhook') await definition.onWebhook?.(nango, jsonCopy(payload));
        else await definition.exec(nango);
        // The task is expired when its time is up, whether or not the script made another SDK call.
        run.guard();
    } catch (err) {
        if (run.interrupted || err instanceof ExecutionInterruptedSDKError) {
            status = 'interrupted';
        } else {
            status = 'failed';
            error = toRunError(err);
            run.log('error', `${options.name} failed: ${error.message}`);
        }
    } finally {
        // The runner's `finally`; a dead worker's locks stay until their TTL runs out.
        if (!run.interrupted) run.releaseAllLocks();
    }
    // A script that swallowed the cut still ended with the worker: the run is interrupted, whatever it returned.
    if (run.interrupted) status = 'interrupted';
    if (run.expired) {
        status = 'failed';
        error = {
            type: 'task_expired_error',
            message: `Task ${options.name} expired: it ran past ${run.options.timeLimit?.what ?? 'its time limit'}`
        };
        run.log('error', error.message);
    }
    return {
        status,
        ...(error ? { error } : {}),
        byModel: nango.byModel,
        calls: run.calls,
        checkpoints: run.checkpoints,
        records: run.recordsSaved,
        httpAnswers: run.httpAnswers,
        saves: run.saves,
        elapsedMs: clock.now() - started,
        logs: run.logs
    };
}

export async function runAction<T = unknown>(options: RunActionOptions): Promise<ActionResult<T>> {
    const clock = options.clock ?? new SystemClock();
    const started = clock.now();
    const earlyLogs: LogEntry[] = [];
    const failed = (
        error_type: string,
        message: string,
        payload: Record<string, unknown>,
        calls = 0,
        logs = earlyLogs,
        status?: number
    ): ActionResult<T> => ({
        status: 'failed',
        error: { error_type, message, payload, ...(status !== undefined ? { status } : {}) },
        calls,
        logs,
        elapsedMs: clock.now() - started
    });

    const loaded = await load(options, 'actions', clock, earlyLogs);
    if ('error' in loaded) return failed(loaded.error.type, loaded.error.message, { message: loaded.error.message });
    const definition = loaded.definition;
    if (definition.type !== 'action') return failed('script_internal_error', `${options.name} is a ${definition.type}, not an action`, {});

    const schemas: Record<string, z.ZodType> = {};
    if (definition.input) schemas['ActionInput'] = definition.input;
    if (definition.output) schemas['ActionOutput'] = definition.output;
    const validator = new ModelValidator(toJsonSchemaDefinitions(schemas), definition.version);
    const run = context(options, clock, definition.checkpoint);
    run.logs.push(...earlyLogs);

    // `nango dryrun --validate`: the input is checked before the script runs.
    const inputProblems = validator.problems(definition.input ? 'ActionInput' : undefined, options.input);
    if (inputProblems.length > 0) {
        return failed(
            'invalid_action_input',
            `Invalid action input: ${inputProblems.join('; ')}`,
            { data: options.input ?? null, validation: inputProblems },
            0,
            run.logs
        );
    }

    const nango = new LocalNangoAction(props(options, 'action', clock, validator, definition), run);
    let output: unknown;
    // A worker that dies mid-action never reports: the orchestrator expires the task when its heartbeat stops
    // (packages/scheduler/lib/models/tasks.ts expiresIfTimeout: output { reason: 'heartbeatTimeoutSecs_exceeded' }),
    // its client answers task_expired_error "Task <id> expired" (packages/orchestrator/lib/clients/client.ts), and
    // the server wraps that as action_script_failure (packages/shared/lib/clients/orchestrator.ts executeAction).
    const expired = () =>
        failed(
            'action_script_failure',
            `Task ${options.name} expired`,
            { error: `Task ${options.name} expired`, payload: { reason: 'heartbeatTimeoutSecs_exceeded' } },
            run.calls,
            run.logs
        );
    try {
        output = await definition.exec(nango, options.input);
    } catch (err) {
        if (run.interrupted) return expired();
        if (err instanceof ActionError) {
            const payload = (err.payload ?? {}) as Record<string, unknown>;
            const message = typeof payload['message'] === 'string' ? payload['message'] : 'ActionError';
            return failed('action_script_failure', message, payload, run.calls, run.logs);
        }
        const error = toRunError(err);
        return failed(error.type, error.message, toPayload(error), run.calls, run.logs, error.status);
    } finally {
        // The runner's `finally`; a dead worker's locks stay until their TTL runs out.
        if (!run.interrupted) run.releaseAllLocks();
    }
    if (run.interrupted) return expired();

    // Nango's runner refuses an oversized output before anything else looks at it.
    const tooLarge = actionOutputTooLarge(output);
    if (tooLarge) return failed('script_internal_error', tooLarge, { name: 'Error', message: tooLarge }, run.calls, run.logs);

    const outputProblems = validator.problems(definition.output ? 'ActionOutput' : undefined, output);
    if (outputProblems.length > 0) {
        return failed(
            'invalid_action_output',
            `Invalid action output: ${outputProblems.join('; ')}`,
            { data: output ?? null, validation: outputProblems },
            run.calls,
            run.logs
        );
    }
    return { status: 'success', output: output as T, calls: run.calls, logs: run.logs, elapsedMs: clock.now() - started };
}

// -------------------------------------------------------------------------------------------------------------

export async function load(
    options: RunOptions,
    kind: ScriptKind,
    clock: Clock,
    logs: LogEntry[]
): Promise<{ definition: ScriptDefinition } | { error: RunError }> {
    try {
        const loaded = await loadScript({
            integration: options.integration,
            kind,
            name: options.name,
            clock,
            from: options.from ?? 'source',
            integrationsDir: options.integrationsDir,
            onConsole: (level, message) =>
                logs.push({
                    level: level === 'warn' || level === 'error' || level === 'debug' ? level : 'info',
                    message: `console: ${message}`
                })
        });
        return { definition: loaded.definition };
    } catch (err) {
        return {
            error: {
                type: 'script_load_error',
                message: `Could not load ${options.integration}/${kind}/${options.name}: ${messageOf(err)}`
            }
        };
    }
}

export function context(
    options: RunSyncOptions | RunActionOptions,
    clock: Clock,
    checkpointSchema: z.ZodType | undefined,
    slot: Pick<RunContextOptions, 'checkpointKey' | 'timeLimit'> = {}
): RunContext {
    const conn = { integration: options.integration, connectionId: options.connectionId ?? 'local' };
    // Merged into what the connection holds, as Nango's connection_config accumulates (its own hooks add
    // emailAddressHash beside what the auth flow stored).
    const saved = options.store.getConnectionConfig(conn);
    const connectionConfig = options.connectionConfig ? { ...(saved ?? {}), ...options.connectionConfig } : (saved ?? {});
    if (options.connectionConfig) options.store.setConnectionConfig(conn, connectionConfig);
    const sync = options as RunSyncOptions;
    return new RunContext({
        store: options.store,
        conn,
        scriptName: options.name,
        clock,
        accessToken: options.accessToken ?? DEFAULT_TOKEN,
        connectionConfig,
        checkpointSchema,
        stopAfterCheckpoints: sync.stopAfterCheckpoints,
        stopAfterHttpAnswers: options.stopAfterHttpAnswers,
        stopAfterSaves: sync.stopAfterSaves,
        onHttpAnswer: options.onHttpAnswer,
        onProgress: sync.onProgress,
        maxRetryWaitMs: options.maxRetryWaitMs,
        limits: options.limits,
        transport: options.transport,
        ...slot
    });
}

/**
 * Nango keeps one checkpoint per script type and name (`getCheckpointKey`, packages/utils/lib/checkpoint/checkpoint.ts:
 * `<type>:<name>`), so a sync's onWebhook does not see the sync's checkpoint. Syncs and actions keep their plain
 * name here, as before; webhook functions and on-event scripts get the prefixed key.
 */
export function checkpointKey(type: 'webhook' | 'on-event', name: string): string {
    return `${type}:${name}`;
}

/** What the orchestrator stores of a webhook's input (a JSON copy; nothing when falsy), and so what the script receives. */
function jsonCopy(payload: unknown): unknown {
    return payload ? (JSON.parse(JSON.stringify(payload)) as unknown) : null;
}

/** What runner-sdk's base classes read from NangoProps; ids that only matter on Nango's servers are constants. */
export function props(
    options: RunOptions,
    scriptType: 'sync' | 'action' | 'webhook' | 'on-event',
    clock: Clock,
    validator: ModelValidator,
    definition: ScriptDefinition
): NangoProps {
    return {
        scriptType,
        secretKey: '',
        team: { id: 1, name: 'local' },
        connectionId: options.connectionId ?? 'local',
        environmentId: 1,
        environmentName: 'local',
        activityLogId: 'local',
        providerConfigKey: options.integration,
        provider: options.integration,
        nangoConnectionId: 1,
        syncId: `local-${options.name}`,
        syncJobId: 1,
        syncConfig: {
            sync_name: options.name,
            // A webhook runs under its sync's config; an on-event script's config is of its own kind.
            type: scriptType === 'webhook' ? 'sync' : scriptType,
            version: definition.version ?? '0.0.1',
            models: Object.keys(validator.schema.definitions),
            models_json_schema: validator.schema
        } as unknown as NangoProps['syncConfig'],
        runnerFlags: {
            validateActionInput: true,
            validateActionOutput: true,
            validateSyncRecords: true,
            validateSyncMetadata: false
        } as NangoProps['runnerFlags'],
        logger: { level: 'debug' },
        debug: false,
        startedAt: new Date(clock.now()),
        endUser: null,
        isCLI: true
    };
}

export function toRunError(err: unknown): RunError {
    if (err instanceof ProxyHttpError) {
        const data = err.response?.data;
        return {
            type: 'script_http_error',
            message: `${err.message} (${err.config.method} ${err.config.url})${data !== undefined && data !== '' ? `: ${preview(data)}` : ''}`,
            ...(err.status !== undefined ? { status: err.status } : {}),
            payload: data ?? { code: err.code }
        };
    }
    if (err instanceof InvalidRecordError) {
        return {
            type: 'invalid_sync_record',
            message: err.message,
            payload: { model: err.model, id: err.recordId, validation: err.problems }
        };
    }
    const stack = scriptFrames(err);
    return { type: 'script_internal_error', message: messageOf(err), ...(stack.length > 0 ? { stack } : {}) };
}

/** Frames whose file is a script (vm filenames are the script's path), at most five. */
function scriptFrames(err: unknown): string[] {
    const stack = err && typeof err === 'object' && 'stack' in err && typeof err.stack === 'string' ? err.stack : '';
    return stack
        .split('\n')
        .slice(1)
        .map((line) => line.trim())
        .filter((line) => /[/\\](syncs|actions|on-events)[/\\][^/\\]+\.(ts|cjs)|_(syncs|actions|on-events)_/.test(line))
        .slice(0, 5);
}

function toPayload(error: RunError): Record<string, unknown> {
    if (error.payload && typeof error.payload === 'object' && !Array.isArray(error.payload))
        return error.payload as Record<string, unknown>;
    return error.payload !== undefined ? { message: error.message, data: error.payload } : { message: error.message };
}

/** Errors from inside the vm context are not `instanceof Error` of this realm (TypeError, SyntaxError...). */
function messageOf(err: unknown): string {
    if (err && typeof err === 'object' && 'message' in err && typeof err.message === 'string') {
        const name = 'name' in err && typeof err.name === 'string' && err.name !== 'Error' ? `${err.name}: ` : '';
        return `${name}${err.message}`;
    }
    return typeof err === 'string' ? err : (JSON.stringify(err) ?? String(err));
}

function preview(data: unknown): string {
    const text = typeof data === 'string' ? data : JSON.stringify(data);
    return text.length > 500 ? `${text.slice(0, 500)}...` : text;
}
