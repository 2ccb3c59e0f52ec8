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
    type CachedRecord,
    type ListRecordsOptions,
    type NangoServiceConfig,
    type PrunedRecord,
    type RecordsPage
} from './nango-service.js';
