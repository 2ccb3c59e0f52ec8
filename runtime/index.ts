/**
 * The local Nango runtime: runs the repository's scripts the way Nango's workers do (bundled, in a sandboxed
 * `node:vm` context, HTTP through a proxy with Nango's retry rules) against a local records cache.
 */
export { SystemClock, VirtualClock, type Clock } from './clock.js';
export {
    runAction,
    runSync,
    type ActionResult,
    type RunActionOptions,
    type RunError,
    type RunOptions,
    type RunSyncOptions,
    type SyncResult
} from './run.js';
export {
    RecordsStore,
    InvalidRecordsQueryError,
    type CachedRecord,
    type ConnectionRef,
    type LastAction,
    type ListRecordsQuery,
    type ListRecordsResult,
    type RecordMetadata,
    type WriteSummary
} from './records-store.js';
export type { HttpAnswerHook, LogEntry, RunProgress } from './run-context.js';
export type { ModelCounts } from './nango-sync.js';
export { InvalidRecordError } from './nango-sync.js';
export { ProxyHttpError, backoffMs, type ProxyResponse, type ProxyTransport } from './proxy.js';
export {
    loadScript,
    bundle,
    compiledBundlePath,
    scriptSourcePath,
    INTEGRATIONS_DIR,
    REPO_ROOT,
    type LoadedScript,
    type ScriptDefinition,
    type ScriptKind
} from './sandbox.js';
export { runWebhook, type RunWebhookOptions } from './run.js';
export { runOnEvent, type OnEventResult, type OnEventType, type RunOnEventOptions } from './run-on-event.js';
export {
    routePush,
    routePushRequest,
    hashEmailAddress,
    webhookUrl,
    LOCAL_ENVIRONMENT_UUID,
    type PushConnection,
    type PushRoute,
    type PushRouting,
    type RoutePushOptions
} from './push-routing.js';
export { deployedScripts, onEventScripts, pushConnections, webhookSyncs } from './deployed.js';
