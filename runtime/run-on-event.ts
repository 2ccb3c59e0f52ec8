import { ActionError } from '@nangohq/runner-sdk';
import { SystemClock } from './clock.js';
import { LocalNangoAction } from './nango-action.js';
import { NANGO_LIMITS } from './platform-limits.js';
import { checkpointKey, context, load, props, toRunError, type RunOptions } from './run.js';
import type { LogEntry } from './run-context.js';
import { ModelValidator, toJsonSchemaDefinitions } from './validation.js';

/** The connection events Nango runs createOnEvent scripts for (packages/types/lib/scripts/on-events/api.ts). */
export type OnEventType = 'validate-connection' | 'post-connection-creation' | 'pre-connection-deletion';

export interface RunOnEventOptions extends RunOptions {
    /** The event being handled; the script's declared `event` must be this one. */
    event: OnEventType;
}

export type OnEventResult =
    | { status: 'success'; calls: number; logs: LogEntry[]; elapsedMs: number }
    | {
          status: 'failed';
          /**
           * `message` is what Nango shows when validate-connection refuses a connection: the error payload's `message`,
           * else its `error`, else "Connection failed validation" (packages/server/lib/hooks/connection/on/
           * validate-connection.ts getValidateConnectionFailureMessage).
           */
          error: { error_type: string; message: string; payload: Record<string, unknown> };
          calls: number;
          logs: LogEntry[];
          elapsedMs: number;
      };

/**
 * An on-event script (`nango-integrations/<integration>/on-events/<name>.ts`), as Nango's runner runs scriptType
 * 'on-event' (packages/runner/lib/exec.ts): the default export must be a createOnEvent result, `exec(nango)` gets a
 * NangoAction (no records), its checkpoint slot is `on-event:<name>`, and the orchestrator expires it after 5 minutes
 * (packages/orchestrator/lib/clients/client.ts executeOnEvent). What a failure means is the caller's: Nango refuses the
 * connection when validate-connection fails and carries on after the other two (packages/server/lib/hooks/connection/on/).
 */
export async function runOnEvent(options: RunOnEventOptions): Promise<OnEventResult> {
    const clock = options.clock ?? new SystemClock();
    const started = clock.now();
    const earlyLogs: LogEntry[] = [];
    const failed = (error_type: string, payload: Record<string, unknown>, calls = 0, logs = earlyLogs): OnEventResult => ({
        status: 'failed',
        error: { error_type, message: failureMessage(payload), payload },
        calls,
        logs,
        elapsedMs: clock.now() - started
    });

    const loaded = await load(options, 'on-events', clock, earlyLogs);
    if ('error' in loaded) return failed(loaded.error.type, { message: loaded.error.message });
    const definition = loaded.definition;
    // exec.ts's own words for a script of another kind (it says "action" for on-event scripts too).
    if (definition.type !== 'onEvent')
        return failed('script_internal_error', { name: 'Error', message: 'Incorrect script loaded for action' });
    if (definition.event !== options.event) {
        // Nango runs the scripts registered for the event (onEventScriptService.getByConfig(config, event)): a script
        // declared for another event is never run for this one.
        return failed('script_internal_error', {
            name: 'Error',
            message: `${options.name} handles '${String(definition.event)}', not '${options.event}'`
        });
    }

    const limits = { ...NANGO_LIMITS, ...options.limits };
    const run = context(options, clock, definition.checkpoint, {
        checkpointKey: checkpointKey('on-event', options.name),
        timeLimit: { ms: limits.onEventRunMs, what: `the on-event limit (${limits.onEventRunMs / 60_000} min)` }
    });
    run.logs.push(...earlyLogs);
    const validator = new ModelValidator(toJsonSchemaDefinitions({}), definition.version);
    const nango = new LocalNangoAction(props(options, 'on-event', clock, validator, definition), run);
    try {
        await definition.exec(nango);
        run.guard();
    } catch (err) {
        if (run.expired || run.interrupted) {
            const message = `Task ${options.name} expired`;
            return failed(
                'task_expired_error',
                { message, reason: run.expired ? 'startedToCompleted exceeded' : 'interrupted' },
                run.calls,
                run.logs
            );
        }
        if (err instanceof ActionError) {
            const payload = err.payload;
            const asObject =
                payload && typeof payload === 'object' && !Array.isArray(payload)
                    ? (payload as Record<string, unknown>)
                    : { message: payload };
            return failed(err.type, asObject, run.calls, run.logs);
        }
        const error = toRunError(err);
        run.log('error', `${options.name} failed: ${error.message}`);
        // exec.ts: an HTTP error's payload is the provider's answer body; any other error is { name, message }.
        const payload =
            error.type === 'script_http_error'
                ? error.payload && typeof error.payload === 'object' && !Array.isArray(error.payload)
                    ? (error.payload as Record<string, unknown>)
                    : { message: error.payload }
                : { name: 'Error', message: error.message };
        return failed(error.type, payload, run.calls, run.logs);
    } finally {
        // The runner's `finally`; a dead worker's locks stay until their TTL runs out.
        if (!run.interrupted) run.releaseAllLocks();
    }
    return { status: 'success', calls: run.calls, logs: run.logs, elapsedMs: clock.now() - started };
}

function failureMessage(payload: Record<string, unknown>): string {
    if (typeof payload['message'] === 'string') return payload['message'];
    if (typeof payload['error'] === 'string') return payload['error'];
    return 'Connection failed validation';
}
