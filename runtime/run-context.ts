import { ExecutionInterruptedSDKError, type ProxyConfiguration } from '@nangohq/runner-sdk';
import type { Nango } from '@nangohq/node';
import type { z } from 'zod';
import type { Clock } from './clock.js';
import { NANGO_LIMITS, persistCheckpoint, runnerLogEntry, type PlatformLimits } from './platform-limits.js';
import { sendProxyRequest, type ProxyResponse, type ProxyTransport } from './proxy.js';
import type { ConnectionRef, RecordsStore } from './records-store.js';

/**
 * State shared by the sync and action SDK objects of one run: the connection, the HTTP counter, the collected logs,
 * checkpoints, locks, and the simulated cuts (`stopAfterCheckpoints`, `stopAfterHttpAnswers`, `stopAfterSaves`).
 * Nango's runner shares the same pieces between its NangoActionRunner and NangoSyncRunner by copying methods; here
 * both delegate to this object.
 */

export interface LogEntry {
    level: 'debug' | 'info' | 'warn' | 'error';
    message: string;
}

export interface RunProgress {
    /** Records passed to batchSave so far. */
    records: number;
    /** Checkpoints saved so far (one per page in our scripts). */
    pages: number;
    /** HTTP attempts so far, retries included. */
    calls: number;
    /** Time on the run's clock since the start. */
    elapsedMs: number;
}

/** What a test hears of each HTTP answer the proxy received, before the script sees it. */
export type HttpAnswerHook = (count: number, request: { method: string; url: string; status: number }) => void | Promise<void>;

export interface RunContextOptions {
    store: RecordsStore;
    conn: ConnectionRef;
    scriptName: string;
    clock: Clock;
    accessToken: string;
    connectionConfig: Record<string, unknown>;
    checkpointSchema?: z.ZodType | undefined;
    stopAfterCheckpoints?: number | undefined;
    stopAfterHttpAnswers?: number | undefined;
    stopAfterSaves?: number | undefined;
    onHttpAnswer?: HttpAnswerHook | undefined;
    onProgress?: ((progress: RunProgress) => void) | undefined;
    maxRetryWaitMs?: number | undefined;
    limits?: Partial<PlatformLimits> | undefined;
    transport?: ProxyTransport | undefined;
    /** Where getCheckpoint/saveCheckpoint keep this run's checkpoint; default the script's name (see runtime/README.md). */
    checkpointKey?: string | undefined;
    /** The orchestrator's startedToCompleted limit for this kind of run, on the run's clock; none for syncs here. */
    timeLimit?: { ms: number; what: string } | undefined;
}

const LEVELS: Record<string, LogEntry['level']> = {
    debug: 'debug',
    info: 'info',
    warn: 'warn',
    error: 'error',
    verbose: 'debug',
    silly: 'debug',
    http: 'info'
};

export class RunContext {
    readonly logs: LogEntry[] = [];
    readonly started: number;
    calls = 0;
    checkpoints = 0;
    recordsSaved = 0;
    /** HTTP answers the proxy received (a network error is no answer), retries included. */
    httpAnswers = 0;
    /** batchSave/batchDelete/batchUpdate calls that stored something. */
    saves = 0;
    /** Set once the simulated cut happened: from then on every SDK call throws, as a dead worker writes nothing. */
    interrupted = false;
    /** Set when the run went past `timeLimit`: the orchestrator expired the task, as it does a dead worker's. */
    expired = false;
    private cutReason = '';
    /** This run as a lock owner. */
    private readonly owner = `run-${(nextOwner += 1)}`;

    readonly limits: PlatformLimits;

    constructor(readonly options: RunContextOptions) {
        this.started = options.clock.now();
        this.limits = { ...NANGO_LIMITS, ...options.limits };
    }

    get conn(): ConnectionRef {
        return this.options.conn;
    }

    get store(): RecordsStore {
        return this.options.store;
    }

    get checkpointKey(): string {
        return this.options.checkpointKey ?? this.options.scriptName;
    }

    get now(): number {
        return this.options.clock.now();
    }

    guard(): void {
        const limit = this.options.timeLimit;
        if (!this.interrupted && limit && this.now - this.started > limit.ms) {
            this.interrupted = true;
            this.expired = true;
            this.cutReason = `past ${limit.what}`;
        }
        if (this.interrupted) throw new ExecutionInterruptedSDKError({ message: `the run was cut ${this.cutReason}` });
    }

    /** The simulated crash: nothing the script does from here reaches the store or the provider. */
    cut(reason: string): never {
        this.interrupted = true;
        this.cutReason = reason;
        throw new ExecutionInterruptedSDKError({ message: `the run was cut ${reason}` });
    }

    /** Called once a batchSave/batchDelete/batchUpdate has been stored; cuts the run at `stopAfterSaves`. */
    saved(): void {
        this.saves += 1;
        const stopAfter = this.options.stopAfterSaves;
        if (stopAfter !== undefined && this.saves >= stopAfter) this.cut(`after save ${this.saves} (stopAfterSaves)`);
    }

    log(level: LogEntry['level'], message: string): void {
        const token = this.options.accessToken;
        this.logs.push({ level, message: token ? message.split(token).join('***') : message });
    }

    /** `nango.log(message, payload?, { level }?)` as Nango's runner reads its arguments and truncates them. */
    userLog(args: unknown[]): void {
        this.guard();
        if (args.length === 0) return;
        const last = args[args.length - 1];
        let level: LogEntry['level'] = 'info';
        if (last && typeof last === 'object' && 'level' in last) {
            level = LEVELS[String((last as { level: unknown }).level)] ?? 'info';
            args = args.slice(0, -1);
        }
        const { message, payload } = runnerLogEntry(args, level);
        this.log(level, payload === undefined ? message : `${message} ${safeJson(payload)}`);
    }

    progress(): void {
        this.options.onProgress?.({
            records: this.recordsSaved,
            pages: this.checkpoints,
            calls: this.calls,
            elapsedMs: this.now - this.started
        });
    }

    async proxy(config: ProxyConfiguration): Promise<ProxyResponse> {
        this.guard();
        const response = await sendProxyRequest(config, {
            provider: this.conn.integration,
            accessToken: this.options.accessToken,
            connectionConfig: this.options.connectionConfig,
            clock: this.options.clock,
            userAgent: LOCAL_USER_AGENT,
            maxWaitMs: this.options.maxRetryWaitMs,
            transport: this.options.transport,
            log: (level, message) => this.log(level, message),
            // A retry still waiting when the run is cut must not go out: a dead worker sends nothing.
            beforeAttempt: () => this.guard(),
            onAttempt: () => {
                this.calls += 1;
                this.progress();
            },
            onAnswer: async (answer) => {
                this.httpAnswers += 1;
                await this.options.onHttpAnswer?.(this.httpAnswers, answer);
                const stopAfter = this.options.stopAfterHttpAnswers;
                if (stopAfter !== undefined && this.httpAnswers >= stopAfter) {
                    this.cut(
                        `after HTTP answer ${this.httpAnswers} (stopAfterHttpAnswers): ${answer.method} ${answer.url} ${answer.status}`
                    );
                }
            }
        });
        this.guard();
        return response;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Checkpoints
    // ---------------------------------------------------------------------------------------------------------

    getCheckpoint(): Record<string, string | number | boolean> | null {
        this.guard();
        return this.store.getCheckpoint(this.conn, this.checkpointKey);
    }

    saveCheckpoint(checkpoint: unknown): void {
        this.guard();
        const flat = persistCheckpoint(checkpoint);
        // Stricter than Nango, which never reads the declared schema at run time: a checkpoint the script's own
        // type refuses is a bug in the script.
        const schema = this.options.checkpointSchema;
        if (schema) {
            const parsed = schema.safeParse(checkpoint);
            if (!parsed.success) {
                const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
                throw new Error(`Invalid checkpoint for ${this.options.scriptName}: ${issues}`);
            }
        }
        this.store.saveCheckpoint(this.conn, this.checkpointKey, flat);
        this.checkpoints += 1;
        this.progress();
        const stopAfter = this.options.stopAfterCheckpoints;
        if (stopAfter !== undefined && this.checkpoints >= stopAfter)
            this.cut(`after checkpoint ${this.checkpoints} (stopAfterCheckpoints)`);
    }

    clearCheckpoint(): void {
        this.guard();
        this.store.clearCheckpoint(this.conn, this.checkpointKey);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Locks: one table per store (a Nango environment), shared by every run on it, each run its own owner
    // ---------------------------------------------------------------------------------------------------------

    /**
     * Nango's runner keeps locks in persist for the whole environment (packages/runner/lib/server.ts HttpLocks), the
     * owner being the execution (its activity log id, sdk.ts Locking): a sync and a webhook function running at once
     * see each other's locks, an owner may take its own lock again, and the runner releases an execution's locks when
     * it ends (exec.ts `finally`). Key 1 to 255 characters and a positive TTL, or the call throws (MapLocks' rules).
     */
    tryAcquireLock(key: string, ttlMs: number): boolean {
        this.guard();
        if (!key || key.length > 255) throw new Error('Invalid lock key (must be between 1 and 255 characters)');
        if (!(ttlMs > 0)) throw new Error('Invalid lock TTL (must be greater than 0)');
        const locks = locksOf(this.store);
        const held = locks.get(key);
        if (held && held.until > this.now && held.owner !== this.owner) return false;
        locks.set(key, { owner: this.owner, until: this.now + ttlMs });
        return true;
    }

    releaseLock(key: string): boolean {
        const locks = locksOf(this.store);
        if (locks.get(key)?.owner !== this.owner) return false;
        return locks.delete(key);
    }

    releaseAllLocks(): void {
        const locks = locksOf(this.store);
        for (const [key, held] of locks) if (held.owner === this.owner) locks.delete(key);
    }

    // ---------------------------------------------------------------------------------------------------------
    // The Nango API client the SDK base classes call (getConnection, metadata, token), answered from the store
    // ---------------------------------------------------------------------------------------------------------

    client(): Nango {
        const connection = (providerConfigKey: string, connectionId: string) => {
            this.guard();
            if (providerConfigKey !== this.conn.integration || connectionId !== this.conn.connectionId) {
                throw new Error(`unknown_connection: the local runtime only knows ${this.conn.integration}/${this.conn.connectionId}`);
            }
            const at = new Date(this.started).toISOString();
            return {
                id: 1,
                connection_id: connectionId,
                provider_config_key: providerConfigKey,
                provider: this.conn.integration,
                errors: [],
                end_user: null,
                metadata: this.store.getMetadata(this.conn) ?? {},
                connection_config: this.options.connectionConfig,
                created_at: at,
                updated_at: at,
                last_fetched_at: at,
                credentials: {
                    type: 'OAUTH2',
                    access_token: this.options.accessToken,
                    raw: { access_token: this.options.accessToken, token_type: 'Bearer' }
                }
            };
        };
        const metadataChange = (connectionId: string) => ({
            data: { connection_id: connectionId, provider_config_key: this.conn.integration },
            status: 200,
            statusText: 'OK',
            headers: {},
            config: {}
        });
        const client = {
            userAgent: LOCAL_USER_AGENT,
            getConnection: async (providerConfigKey: string, connectionId: string) => connection(providerConfigKey, connectionId),
            getToken: async (providerConfigKey: string, connectionId: string) =>
                connection(providerConfigKey, connectionId).credentials.access_token,
            setMetadata: async (_key: string, connectionId: string, metadata: Record<string, unknown>) => {
                this.guard();
                this.store.setMetadata(this.conn, metadata);
                return metadataChange(connectionId);
            },
            updateMetadata: async (_key: string, connectionId: string, metadata: Record<string, unknown>) => {
                this.guard();
                this.store.updateMetadata(this.conn, metadata);
                return metadataChange(connectionId);
            },
            getIntegration: async () => ({
                data: { unique_key: this.conn.integration, provider: this.conn.integration, display_name: this.conn.integration }
            }),
            getEnvironmentVariables: async () => [],
            triggerAction: async () => {
                throw new Error('triggerAction is not supported by the local runtime');
            }
        };
        return client as unknown as Nango;
    }
}

export const LOCAL_USER_AGENT = 'nango-local-runtime';

let nextOwner = 0;
const LOCKS = new WeakMap<RecordsStore, Map<string, { owner: string; until: number }>>();

function locksOf(store: RecordsStore): Map<string, { owner: string; until: number }> {
    let locks = LOCKS.get(store);
    if (!locks) {
        locks = new Map();
        LOCKS.set(store, locks);
    }
    return locks;
}

function safeJson(value: unknown): string {
    try {
        return JSON.stringify(value) ?? String(value);
    } catch {
        return String(value);
    }
}
