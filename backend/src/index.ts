export * from '../../models.js';
export {
    catalog,
    modelNames,
    type ActionInput,
    type ActionName,
    type ActionOutput,
    type ConnectionMetadata,
    type IntegrationId,
    type ModelName,
    type ModelRecord,
    type SyncName
} from './catalog.js';
export { ActionError, NangoApiError, RecordValidationError } from './errors.js';
export {
    NangoService,
    parseIntegrationKeys,
    type CachedRecord,
    type ListRecordsOptions,
    type NangoServiceConfig,
    type PrunedRecord,
    type RecordsPage
} from './nango-service.js';
export {
    createWebhookReceiver,
    signWebhook,
    verifySignature,
    type WebhookAnswer,
    type WebhookReceiver,
    type WebhookReceiverOptions
} from './webhooks/receiver.js';
export { nodeWebhookListener } from './webhooks/node-http.js';
export * from './webhooks/schemas.js';
export { Mirror, MirrorCrash, type CrashPoint, type MirrorOptions, type RecordHook, type SyncSummary } from './mirror/mirror.js';
export { SqliteMirrorStore } from './mirror/sqlite-store.js';
export type * from './mirror/store.js';
export { PostgresMirrorStore, postgresPool } from './mirror/postgres-store.js';
export { openMirrorStore } from './mirror/open-store.js';
