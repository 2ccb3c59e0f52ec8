/**
 * Types and look-ups over the generated catalog (catalog.generated.ts): a model, an action or an input field that
 * the scripts do not declare is a type error, and the same names are checked again at run time.
 */
import type { z } from 'zod';
import { catalog } from './catalog.generated.js';

export { catalog };

type Catalog = typeof catalog;

/** An integration as this repository names it: its folder in nango-integrations/. */
export type IntegrationId = keyof Catalog;

type SyncsOf<I extends IntegrationId> = Catalog[I]['syncs'];
type ActionsOf<I extends IntegrationId> = Catalog[I]['actions'];

export type SyncName<I extends IntegrationId> = keyof SyncsOf<I> & string;
export type ActionName<I extends IntegrationId> = keyof ActionsOf<I> & string;

type ModelsOfSync<I extends IntegrationId, S extends SyncName<I>> = SyncsOf<I>[S] extends { models: infer M } ? M : never;

/** Every model a sync saves, with where it comes from. */
type ModelTable = {
    [I in IntegrationId]: {
        [S in SyncName<I>]: {
            [M in keyof ModelsOfSync<I, S> & string]: { integration: I; sync: S; schema: ModelsOfSync<I, S>[M] };
        };
    }[SyncName<I>];
}[IntegrationId];

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer X) => void ? X : never;

type Flatten<T> = { [K in keyof UnionToIntersection<T>]: UnionToIntersection<T>[K] };

type Models = Flatten<ModelTable>;

/** A model of Nango's cache, e.g. `GmailThread`. */
export type ModelName = keyof Models & string;

export type IntegrationOf<M extends ModelName> = Models[M] extends { integration: infer I } ? I : never;
export type SyncOf<M extends ModelName> = Models[M] extends { sync: infer S } ? S : never;

/** A record of model M, as the scripts save it. */
export type ModelRecord<M extends ModelName> = Models[M] extends { schema: infer S extends z.ZodType } ? z.output<S> : never;

type ActionEntry<I extends IntegrationId, A extends ActionName<I>> = ActionsOf<I>[A];

/** What a caller passes to action A (optional fields may be left out). */
export type ActionInput<I extends IntegrationId, A extends ActionName<I>> =
    ActionEntry<I, A> extends { input: infer S extends z.ZodType } ? z.input<S> : never;

export type ActionOutput<I extends IntegrationId, A extends ActionName<I>> =
    ActionEntry<I, A> extends { output: infer S extends z.ZodType } ? z.output<S> : never;

type MetadataSchemas<I extends IntegrationId> = {
    [S in SyncName<I>]: SyncsOf<I>[S] extends { metadata: infer T extends z.ZodType } ? T : never;
}[SyncName<I>];

/**
 * A connection's metadata: Nango keeps one object per connection and every sync of the integration reads its own
 * fields from it, so it is the intersection of what the syncs declare.
 */
export type ConnectionMetadata<I extends IntegrationId> = [MetadataSchemas<I>] extends [never]
    ? Record<string, never>
    : UnionToIntersection<z.input<MetadataSchemas<I>>>;

export interface ModelEntry {
    integration: IntegrationId;
    sync: string;
    schema: z.ZodType;
}

export interface ActionEntryInfo {
    input: z.ZodType;
    output: z.ZodType;
    description: string;
}

interface LooseSync {
    description: string;
    models: Record<string, z.ZodType>;
    metadata: z.ZodType | null;
}

interface LooseIntegration {
    syncs: Record<string, LooseSync>;
    actions: Record<string, ActionEntryInfo>;
}

const loose = catalog as unknown as Record<string, LooseIntegration>;

export function integrationIds(): IntegrationId[] {
    return Object.keys(loose) as IntegrationId[];
}

export function modelEntry(model: string): ModelEntry | undefined {
    for (const [integration, entry] of Object.entries(loose)) {
        for (const [sync, definition] of Object.entries(entry.syncs)) {
            const schema = definition.models[model];
            if (schema) {
                return { integration: integration as IntegrationId, sync, schema };
            }
        }
    }
    return undefined;
}

export function modelNames(): ModelName[] {
    return Object.values(loose).flatMap((entry) => Object.values(entry.syncs).flatMap((sync) => Object.keys(sync.models))) as ModelName[];
}

export function actionEntry(integration: string, action: string): ActionEntryInfo | undefined {
    return loose[integration]?.actions[action];
}

/** The metadata schemas the syncs of an integration read (a connection's metadata must satisfy each). */
export function metadataSchemas(integration: string): z.ZodType[] {
    return Object.values(loose[integration]?.syncs ?? {}).flatMap((sync) => (sync.metadata ? [sync.metadata] : []));
}
