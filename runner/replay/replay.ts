/**
 * Replays a recording: the script runs in our sandbox (runtime's runSync/runAction) with every HTTP call answered
 * from the recording, and what it saved, deleted or returned is compared with what the recording says.
 */
import { getProvider } from '@nangohq/providers';
import type { ProxyConfiguration } from '@nangohq/runner-sdk';
import { RecordsStore } from '../../runtime/records-store.js';
import { runAction, runSync, VirtualClock, type ProxyTransport } from '../../runtime/index.js';
import { compareRecords, dryrunRecords, fieldDifferences, type RunRecords } from '../../conformance/compare.js';
import { describeRequest, findAnswer, requestIdentity, type LoadedRecording, type Recording } from './recording.js';

const CONNECTION = 'replay';

/** One way the replay differs from the recording. */
export interface ReplayDifference {
    script: string;
    /** The model, `output` for an action, `request` for an unrecorded request, `run` when the run itself failed. */
    model: string;
    /** A record id, or '' when the difference is not about one record. */
    id: string;
    /** A dotted path into the record, or what happened. */
    field: string;
    recorded?: unknown;
    replayed?: unknown;
}

export interface ReplayResult {
    script: string;
    differences: ReplayDifference[];
    /** HTTP calls answered from the recording. */
    answered: number;
}

/**
 * Output fields that differ between two correct runs of an action even on the same answers: the Message-ID the
 * Gmail actions make holds random bytes (nango-integrations/google-mail/mime-build.ts newMessageId).
 */
export const VOLATILE_REPLAY_OUTPUT: Record<string, string[]> = {
    'send-email': ['messageId'],
    'reply-email': ['messageId']
};

/**
 * Requests whose body holds the time and random bytes (the Message-ID and Date of the mail the action composes), so
 * no replay can send the recorded body again: matched by method, endpoint and params only, and only when the
 * recording holds one answer for them.
 */
export const UNKEYED_BODIES: Record<string, RegExp> = {
    'send-email': /^gmail\/v1\/users\/[^/]+\/messages\/send$|^upload\/gmail\/v1\/users\/[^/]+\/messages\/send$/,
    'reply-email': /^gmail\/v1\/users\/[^/]+\/messages\/send$|^upload\/gmail\/v1\/users\/[^/]+\/messages\/send$/
};

export interface ReplayOptions {
    /** A Nango folder other than the repository's nango-integrations/ (a test's altered copy). */
    integrationsDir?: string;
}

export async function replay(loaded: LoadedRecording, options: ReplayOptions = {}): Promise<ReplayResult> {
    const { recording, integration, name } = loaded;
    const differences: ReplayDifference[] = [];
    let answered = 0;
    const transport: ProxyTransport = async (_url, _init, config) => {
        const answer = answerFor(recording, name, config);
        if (!answer.found) {
            differences.push({ script: name, model: 'request', id: '', field: `unrecorded request ${answer.described}` });
            throw new Error(`replay: no recorded answer for ${answer.described}`, { cause: { code: 'REPLAY_UNRECORDED' } });
        }
        answered += 1;
        const { response, status, headers } = answer.found;
        const body = response === undefined || response === '' ? null : typeof response === 'string' ? response : JSON.stringify(response);
        return Promise.resolve(new Response(status === 204 || status === 304 ? null : body, { status, headers: answerHeaders(headers) }));
    };

    const store = new RecordsStore(':memory:');
    try {
        const conn = { integration, connectionId: CONNECTION };
        const metadata = recording.nango?.getMetadata;
        if (metadata) store.setMetadata(conn, metadata);
        const common = {
            integration,
            name,
            store,
            connectionId: CONNECTION,
            connectionConfig: placeholderConnectionConfig(integration),
            clock: new VirtualClock(recordedAt(recording)),
            transport,
            ...(options.integrationsDir ? { integrationsDir: options.integrationsDir } : {})
        };
        if (loaded.kind === 'sync') {
            const result = await runSync(common);
            if (result.status !== 'success') differences.push(runFailure(name, result.error?.message ?? result.status));
            const models = new Set([...Object.keys(recording.nango?.batchSave ?? {}), ...Object.keys(recording.nango?.batchDelete ?? {})]);
            for (const model of stored(store, integration)) models.add(model);
            for (const model of models) {
                const recorded = dryrunRecords(recording as Record<string, unknown>, model);
                for (const d of compareRecords(name, 'replay', recorded, replayedRecords(store, integration, model))) {
                    differences.push({ script: name, model, id: d.id, field: relabel(d.field), recorded: d.dryrun, replayed: d.runtime });
                }
            }
        } else {
            const result = await runAction({ ...common, input: recording.input });
            if (result.status !== 'success') {
                differences.push(runFailure(name, `${result.error.message} ${JSON.stringify(result.error.payload)}`));
            } else {
                const volatile = new Set(VOLATILE_REPLAY_OUTPUT[name] ?? []);
                const strip = (value: unknown) =>
                    value && typeof value === 'object' && !Array.isArray(value)
                        ? Object.fromEntries(Object.entries(value).filter(([key]) => !volatile.has(key)))
                        : value;
                for (const d of fieldDifferences(strip(recording.output), strip(result.output))) {
                    differences.push({ script: name, model: 'output', id: '', field: d.field, recorded: d.dryrun, replayed: d.runtime });
                }
            }
        }
    } finally {
        store.close();
    }
    return { script: name, differences, answered };
}

function answerFor(recording: Recording, script: string, config: ProxyConfiguration) {
    const identity = requestIdentity(config);
    let found = findAnswer(recording, identity);
    if (!found && UNKEYED_BODIES[script]?.test(identity.endpoint)) {
        const entry = recording.api?.[identity.method]?.[`/${identity.endpoint}`];
        if (entry && !Array.isArray(entry)) found = findAnswer(recording, { ...identity, data: undefined }) ?? entry;
    }
    return { found, described: describeRequest(identity) };
}

/** What the recorded answers say about the time of the recording (HTTP `date`), so the run's clock starts there. */
function recordedAt(recording: Recording): number {
    for (const byEndpoint of Object.values(recording.api ?? {})) {
        for (const entry of Object.values(byEndpoint)) {
            for (const answer of Array.isArray(entry) ? entry : [entry]) {
                const at = Date.parse(answer.headers?.['date'] ?? '');
                if (!Number.isNaN(at)) return at;
            }
        }
    }
    return Date.now();
}

/** Hop-by-hop and length headers belong to the recorded connection, not to the answer a replay builds. */
function answerHeaders(headers: Record<string, string> | undefined): Headers {
    const out = new Headers();
    for (const [key, value] of Object.entries(headers ?? {})) {
        if (['content-length', 'connection', 'keep-alive', 'transfer-encoding', 'content-encoding'].includes(key.toLowerCase())) continue;
        out.set(key, String(value));
    }
    return out;
}

/**
 * A recording keeps no connection config (the CLI saves only connection id and provider), but the proxy needs the
 * `${connectionConfig.x}` of the provider's base URL (Salesforce's instance_url) to build a URL: a placeholder,
 * which the replay never calls.
 */
function placeholderConnectionConfig(integration: string): Record<string, unknown> {
    const base = getProvider(integration)?.proxy?.base_url ?? '';
    const config: Record<string, unknown> = {};
    for (const [, key] of base.matchAll(/\$\{connectionConfig\.([\w-]+)\}/g)) config[key!] = `https://${key}.replay.invalid`;
    return config;
}

function stored(store: RecordsStore, integration: string): string[] {
    const rows = store.db.prepare('SELECT DISTINCT model FROM records WHERE integration = ?').all(integration) as { model: string }[];
    return rows.map((row) => row.model);
}

function replayedRecords(store: RecordsStore, integration: string, model: string): RunRecords {
    const rows = store.db
        .prepare('SELECT id, data, last_action FROM records WHERE integration = ? AND connection_id = ? AND model = ?')
        .all(integration, CONNECTION, model) as { id: string; data: string; last_action: string }[];
    const saved = new Map<string, unknown>();
    const deleted = new Set<string>();
    for (const row of rows) {
        if (row.last_action === 'DELETED') deleted.add(row.id);
        else saved.set(row.id, JSON.parse(row.data) as unknown);
    }
    return { saved, deleted };
}

function relabel(field: string): string {
    return field.replace('by the runtime only', 'by the replay only').replace('by dryrun only', 'in the recording only');
}

function runFailure(script: string, message: string): ReplayDifference {
    return { script, model: 'run', id: '', field: `the run failed: ${message}` };
}
