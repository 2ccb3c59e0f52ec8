import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SystemClock, type Clock } from './clock.js';
import type { PushConnection } from './push-routing.js';
import type { RecordsStore } from './records-store.js';
import { INTEGRATIONS_DIR, loadScript, type ScriptKind } from './sandbox.js';
import type { OnEventType } from './run-on-event.js';

/**
 * What a Nango environment would hold after `nango deploy` of a folder: the scripts its index.ts imports (the CLI
 * compiles and deploys exactly those), read from the imports' paths `./<integration>/<kind>/<name>.js`.
 */
export function deployedScripts(integration: string, kind: ScriptKind, integrationsDir = INTEGRATIONS_DIR): string[] {
    let index: string;
    try {
        index = readFileSync(join(integrationsDir, 'index.ts'), 'utf8');
    } catch {
        return [];
    }
    const names: string[] = [];
    for (const match of index.matchAll(/^\s*import\s+['"]\.\/([^/'"]+)\/([^/'"]+)\/([^/'"]+)\.js['"]/gm)) {
        if (match[1] === integration && match[2] === kind && match[3]) names.push(match[3]);
    }
    return names;
}

export interface DeployedOptions {
    integrationsDir?: string | undefined;
    clock?: Clock | undefined;
}

/** The integration's syncs that declare an onWebhook, with their subscriptions (Nango's "sync configs for webhook"). */
export async function webhookSyncs(integration: string, options: DeployedOptions = {}): Promise<PushConnection['syncs']> {
    const syncs: { name: string; webhookSubscriptions: string[] }[] = [];
    for (const name of deployedScripts(integration, 'syncs', options.integrationsDir)) {
        // A sync the sandbox cannot load fails every run anyway; its subscriptions cannot be read here.
        const definition = await loadScript({ ...loadOptions(options), integration, kind: 'syncs', name }).then(
            (loaded) => loaded.definition,
            () => undefined
        );
        if (!definition) continue;
        const subscriptions = definition.webhookSubscriptions ?? [];
        if (typeof definition.onWebhook === 'function' && subscriptions.length > 0)
            syncs.push({ name, webhookSubscriptions: [...subscriptions] });
    }
    return syncs;
}

/**
 * The on-event scripts the event runs, in index.ts order. Nango runs every script registered for the connection's
 * integration and event, one after the other (onEventScriptService.getByConfig, hooks/connection/on/*.ts).
 */
export async function onEventScripts(integration: string, event: OnEventType, options: DeployedOptions = {}): Promise<string[]> {
    const names: string[] = [];
    for (const name of deployedScripts(integration, 'on-events', options.integrationsDir)) {
        const { definition } = await loadScript({ ...loadOptions(options), integration, kind: 'on-events', name });
        if (definition.type === 'onEvent' && definition.event === event) names.push(name);
    }
    return names;
}

/** Every connection of the store as the routing sees it, each with its integration's webhook syncs. */
export async function pushConnections(store: RecordsStore, options: DeployedOptions = {}): Promise<PushConnection[]> {
    const syncsOf = new Map<string, PushConnection['syncs']>();
    const connections: PushConnection[] = [];
    for (const stored of store.listConnections()) {
        let syncs = syncsOf.get(stored.integration);
        if (!syncs) {
            syncs = await webhookSyncs(stored.integration, options);
            syncsOf.set(stored.integration, syncs);
        }
        connections.push({
            integration: stored.integration,
            connectionId: stored.connectionId,
            connectionConfig: stored.config,
            metadata: stored.metadata,
            syncs
        });
    }
    return connections;
}

function loadOptions(options: DeployedOptions): { clock: Clock; integrationsDir: string } {
    return { clock: options.clock ?? new SystemClock(), integrationsDir: options.integrationsDir ?? INTEGRATIONS_DIR };
}
