/**
 * NangoService: `@nangohq/node` typed by this repository's catalog. A backend names integrations by their folder
 * (`google-mail`); each environment names them by its own keys (`google-mail-ynxw`), given in `integrationKeys`.
 */
import { Nango, type ProxyConfiguration, type RecordMetadata } from '@nangohq/node';
import { z } from 'zod';
import {
    actionEntry,
    integrationIds,
    metadataSchemas,
    modelEntry,
    type ActionInput,
    type ActionName,
    type ActionOutput,
    type ConnectionMetadata,
    type IntegrationId,
    type ModelName,
    type ModelRecord
} from './catalog.js';
import {
    ActionError,
    actionPayload,
    httpErrorOf,
    isActionFailure,
    readErrorBody,
    RecordValidationError,
    toNangoApiError
} from './errors.js';

export interface NangoServiceConfig {
    /** The environment's secret key. */
    secretKey: string;
    /** Nango's API base URL; Nango Cloud when omitted. */
    host?: string | undefined;
    /** Folder name -> the environment's integration id (provider config key); unlisted ones keep the folder name. */
    integrationKeys?: Partial<Record<IntegrationId, string>> | undefined;
    /** Check every record and action output with its zod schema (default true). */
    validate?: boolean | undefined;
}

type Filter = 'added' | 'updated' | 'deleted';

export interface ListRecordsOptions {
    connectionId: string;
    /** The `_nango_metadata.cursor` of the last record read, or a page's `next_cursor`. */
    cursor?: string | undefined;
    /** ISO 8601; Nango refuses dates older than 12 months. */
    modifiedAfter?: string | undefined;
    filter?: Filter | `${Filter},${Filter}` | undefined;
    /** 1 to 10,000; Nango's default is 100. */
    limit?: number | undefined;
    validate?: boolean | undefined;
}

/** A live or deleted record: the payload as saved, last state kept for deleted ones. */
export type CachedRecord<M extends ModelName> = ModelRecord<M> & { _nango_metadata: RecordMetadata & { pruned_at: null } };

/**
 * A record Nango pruned (unchanged for 30 days): its payload is gone, only id and metadata are left
 * (NangoHQ/nango packages/records/lib/stores/postgres/postgres.ts keeps `id` from external_id).
 */
export interface PrunedRecord {
    id: string;
    _nango_metadata: RecordMetadata & { pruned_at: string };
}

export interface RecordsPage<M extends ModelName> {
    records: (CachedRecord<M> | PrunedRecord)[];
    next_cursor: string | null;
}

const RecordMetadataSchema = z.object({
    first_seen_at: z.string(),
    last_modified_at: z.string(),
    last_action: z.enum(['ADDED', 'UPDATED', 'DELETED', 'added', 'updated', 'deleted']),
    deleted_at: z.string().nullable(),
    pruned_at: z.string().nullable(),
    cursor: z.string()
});

const RecordsResponse = z.object({
    records: z.array(z.looseObject({ id: z.union([z.string(), z.number()]), _nango_metadata: RecordMetadataSchema })),
    next_cursor: z.string().nullable()
});

/**
 * `integrationKeys` from a setting such as NANGO_INTEGRATION_KEYS=`google-mail=google-mail-ynxw,salesforce=sf-prod`:
 * folder names of this repository on the left (an unknown one is refused), the environment's ids on the right.
 */
export function parseIntegrationKeys(setting: string | undefined): Partial<Record<IntegrationId, string>> {
    const keys: Partial<Record<IntegrationId, string>> = {};
    const known = new Set<string>(integrationIds());
    for (const pair of (setting ?? '')
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean)) {
        const [folder, key, ...rest] = pair.split('=').map((p) => p.trim());
        if (!folder || !key || rest.length > 0) {
            throw new Error(`integration keys: expected <folder>=<integration id>, got "${pair}"`);
        }
        if (!known.has(folder)) {
            throw new Error(`integration keys: ${folder} is not an integration of this repository (${[...known].join(', ')})`);
        }
        keys[folder as IntegrationId] = key;
    }
    return keys;
}

export class NangoService {
    /** From NANGO_SECRET_KEY, NANGO_HOST (optional) and NANGO_INTEGRATION_KEYS (optional, see parseIntegrationKeys). */
    static fromEnv(env: Record<string, string | undefined> = process.env): NangoService {
        const secretKey = env['NANGO_SECRET_KEY'];
        if (!secretKey) {
            throw new Error('NANGO_SECRET_KEY is not set');
        }
        return new NangoService({
            secretKey,
            host: env['NANGO_HOST'],
            integrationKeys: parseIntegrationKeys(env['NANGO_INTEGRATION_KEYS'])
        });
    }

    readonly client: Nango;
    private readonly keys: Map<string, string>;
    private readonly folders: Map<string, IntegrationId>;
    private readonly validate: boolean;

    constructor(config: NangoServiceConfig) {
        this.client = new Nango({ secretKey: config.secretKey, ...(config.host ? { host: config.host } : {}) });
        this.validate = config.validate ?? true;
        this.keys = new Map();
        this.folders = new Map();
        for (const integration of integrationIds()) {
            const key = config.integrationKeys?.[integration] ?? integration;
            this.keys.set(integration, key);
            this.folders.set(key, integration);
        }
        for (const integration of Object.keys(config.integrationKeys ?? {})) {
            if (!this.keys.has(integration)) {
                throw new Error(`integrationKeys names ${integration}, which is not an integration of this repository`);
            }
        }
    }

    /** The environment's integration id for a folder name. */
    keyOf(integration: IntegrationId): string {
        const key = this.keys.get(integration);
        if (!key) {
            throw new Error(`unknown integration ${integration}`);
        }
        return key;
    }

    /** The folder name for an environment's integration id (as webhooks carry it), if it is one of ours. */
    integrationOf(providerConfigKey: string): IntegrationId | undefined {
        return this.folders.get(providerConfigKey);
    }

    /** One page of model M's records, oldest change first. */
    async listRecords<M extends ModelName>(model: M, options: ListRecordsOptions): Promise<RecordsPage<M>> {
        const entry = modelEntry(model);
        if (!entry) {
            throw new Error(`${model} is not a model of this repository's syncs`);
        }
        const response = await this.call(() =>
            this.client.listRecords({
                providerConfigKey: this.keyOf(entry.integration),
                connectionId: options.connectionId,
                model,
                ...(options.cursor ? { cursor: options.cursor } : {}),
                ...(options.modifiedAfter ? { modifiedAfter: options.modifiedAfter } : {}),
                ...(options.filter ? { filter: options.filter } : {}),
                ...(options.limit ? { limit: options.limit } : {})
            })
        );
        const page = RecordsResponse.parse(response);
        if (options.validate ?? this.validate) {
            for (const record of page.records) {
                if (record._nango_metadata.pruned_at !== null) {
                    continue;
                }
                const { _nango_metadata: _meta, ...payload } = record;
                const parsed = entry.schema.safeParse(payload);
                if (!parsed.success) {
                    throw new RecordValidationError(model, String(record.id), z.prettifyError(parsed.error));
                }
            }
        }
        return page as unknown as RecordsPage<M>;
    }

    /** Runs an action and answers its output; a failure of the script is an ActionError with its payload. */
    async triggerAction<I extends IntegrationId, A extends ActionName<I>>(
        integration: I,
        action: A,
        connectionId: string,
        input: ActionInput<I, A>
    ): Promise<ActionOutput<I, A>> {
        const entry = actionEntry(integration, action);
        if (!entry) {
            throw new Error(`${integration} has no action ${action}`);
        }
        let output: unknown;
        try {
            output = await this.client.triggerAction(this.keyOf(integration), connectionId, action, input);
        } catch (error) {
            const http = httpErrorOf(error);
            const body = http ? readErrorBody(http.body) : undefined;
            if (body && isActionFailure(body)) {
                throw new ActionError(integration, action, body.code, actionPayload(body.payload));
            }
            throw toNangoApiError(error);
        }
        if (this.validate) {
            const parsed = entry.output.safeParse(output);
            if (!parsed.success) {
                throw new Error(
                    `${integration}/${action} answered an output that does not match models.ts: ${z.prettifyError(parsed.error)}`
                );
            }
        }
        return output as ActionOutput<I, A>;
    }

    /** A request to the provider through Nango's proxy, with the connection's credentials. */
    async proxy<T = unknown>(
        integration: IntegrationId,
        connectionId: string,
        config: Omit<ProxyConfiguration, 'providerConfigKey' | 'connectionId'>
    ) {
        return this.call(() => this.client.proxy<T>({ ...config, providerConfigKey: this.keyOf(integration), connectionId }));
    }

    async getConnection(integration: IntegrationId, connectionId: string) {
        return this.call(() => this.client.getConnection(this.keyOf(integration), connectionId));
    }

    /**
     * Replaces the connection's metadata. Checked first against the metadata schema of every sync of the integration
     * that declares one: they all read the same object.
     */
    async setMetadata<I extends IntegrationId>(integration: I, connectionId: string, metadata: ConnectionMetadata<I>): Promise<void> {
        for (const schema of metadataSchemas(integration)) {
            const parsed = schema.safeParse(metadata);
            if (!parsed.success) {
                throw new Error(`metadata for ${integration} does not match models.ts: ${z.prettifyError(parsed.error)}`);
            }
        }
        await this.call(() => this.client.setMetadata(this.keyOf(integration), connectionId, metadata as Record<string, unknown>));
    }

    private async call<T>(request: () => Promise<T>): Promise<T> {
        try {
            return await request();
        } catch (error) {
            throw toNangoApiError(error);
        }
    }
}
