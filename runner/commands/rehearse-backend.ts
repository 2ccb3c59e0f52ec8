import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Nango } from '@nangohq/node';
import {
    GmailThread,
    Mirror,
    NangoService,
    SqliteMirrorStore,
    createWebhookReceiver,
    nodeWebhookListener,
    signWebhook,
    type MirrorStore,
    type NangoWebhook
} from '../../backend/src/index.js';
import { startLocalNango, type LocalNango } from '../../local-nango/server.js';
import { SystemClock, type Clock } from '../../runtime/clock.js';
import { RecordsStore } from '../../runtime/records-store.js';
import { verdictOfCache, type Verdict } from '../../simulators/common/truth.js';
import { INTEGRATIONS } from '../catalog.js';
import { clip, formatInt, formatMs, textTable } from '../format.js';
import { truthFor } from '../setup.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const INTEGRATION = 'google-mail';
const CONNECTION = 'local';
const MODELS = ['GmailThread', 'GoogleContact'] as const;
type RehearsedModel = (typeof MODELS)[number];

export interface RehearseBackendOptions {
    /** Default: the system clock. The test passes a VirtualClock. */
    clock?: Clock | undefined;
    out?: ((line: string) => void) | undefined;
    /** The product's database (default: SQLite at `path`). The test passes a faulty one to see the verdict catch it. */
    openMirrorStore?: ((path: string) => MirrorStore) | undefined;
}

/** One line of the verdict: the provider, Nango's cache and the mirror, for one model. */
interface ModelVerdict {
    model: RehearsedModel;
    provider: number;
    cache: Verdict;
    mirror: Verdict;
    /** Mirror records whose payload differs from the cache's (or that the cache lacks). */
    mirrorDiffers: string[];
}

/**
 * The product's side, rehearsed end to end on this machine: the local Nango API sends its sync webhooks to the
 * backend's receiver, which moves a mirror on SQLite (in a temporary directory); the product reads its emails from
 * the mirror, sends one through the typed service, sees it arrive with the next sync's webhook, refuses a forged
 * webhook, and, 40 days later, still holds whole what Nango's cache has pruned. Verdict: mirror = cache = provider.
 */
export async function rehearseBackend(options: RehearseBackendOptions = {}): Promise<number> {
    const started = performance.now();
    const out = options.out ?? ((line: string) => process.stdout.write(`${line}\n`));
    const dir = mkdtempSync(join(tmpdir(), 'nango-backend-rehearsal-'));
    const signingKey = randomBytes(24).toString('hex');
    const failures: string[] = [];
    const check = (ok: boolean, what: string) => {
        out(`  ${ok ? 'ok  ' : 'FAIL'} ${what}`);
        if (!ok) failures.push(what);
    };

    const store = new RecordsStore(join(dir, 'nango-cache.db'));
    const mirrorStore = (options.openMirrorStore ?? ((path: string) => new SqliteMirrorStore(path)))(join(dir, 'product.db'));
    let receiverServer: Server | undefined;
    let api: LocalNango | undefined;
    try {
        // The product: a mirror fed by the webhook receiver, reading Nango through the typed service.
        // The mirror needs the service, which needs the API, which needs the receiver's URL: it is set below.
        const product: { mirror?: Mirror } = {};
        const webhooks: NangoWebhook[] = [];
        const receiver = createWebhookReceiver({
            signingKey,
            onWebhook: async (webhook) => {
                webhooks.push(webhook);
                await product.mirror?.handleWebhook(webhook);
            },
            onError: (error) => failures.push(`webhook work failed: ${String(error)}`)
        });
        receiverServer = createServer(nodeWebhookListener(receiver));
        await new Promise<void>((resolve) => receiverServer!.listen(0, '127.0.0.1', resolve));
        const webhookUrl = `http://127.0.0.1:${(receiverServer.address() as AddressInfo).port}/webhooks/nango`;

        // Nango: the local API, its webhooks pointed at the receiver.
        api = await startLocalNango({ store, clock: options.clock ?? new SystemClock(), webhook: { url: webhookUrl, signingKey } });
        const service = new NangoService({ secretKey: api.secretKey, host: api.url });
        const mirror = new Mirror({ nango: service, store: mirrorStore });
        product.mirror = mirror;
        const nango = new Nango({ secretKey: api.secretKey, host: api.url });
        const settle = async () => {
            await api!.idle();
            await receiver.idle();
        };
        /** What Nango's scheduler does: run the syncs, then send their webhooks. */
        const runSyncs = async () => {
            await nango.triggerSync(INTEGRATION, ['gmail-threads', 'gmail-contacts'], CONNECTION);
            await settle();
        };
        out(`Backend rehearsal: local Nango API ${api.url}, webhooks to ${webhookUrl}, mirror ${join(dir, 'product.db')}`);

        out('\n1. Connect');
        const connection = await service.getConnection(INTEGRATION, CONNECTION);
        check(connection.connection_id === CONNECTION, `connection "${CONNECTION}" of ${INTEGRATION} is there`);

        out('\n2. First sync: webhook, mirror');
        await runSyncs();
        const first = webhooks.filter((w) => w.type === 'sync');
        for (const w of first) out(`  webhook ${describeWebhook(w)}`);
        check(
            MODELS.every((model) => first.some((w) => w.type === 'sync' && w.model === model && w.success && w.syncType === 'INITIAL')),
            'one INITIAL success webhook per model, verified by the receiver'
        );
        for (const model of MODELS) {
            const mirrored = (await mirror.records(CONNECTION, model)).length;
            check(
                mirrored === store.countLive({ integration: INTEGRATION, connectionId: CONNECTION }, model),
                `${model}: ${formatInt(mirrored)} in the mirror, as in Nango's cache`
            );
        }

        out('\n3. "Show my emails", from the mirror');
        const threads = (await mirror.records(CONNECTION, 'GmailThread')).map((record) => GmailThread.parse(record));
        threads.sort((a, b) => (a.date < b.date ? 1 : -1));
        for (const thread of threads.slice(0, 3)) {
            out(
                `  ${thread.date.slice(0, 10)}  ${clip(thread.from?.email ?? '(no sender)', 28).padEnd(28)}  ${clip(thread.subject ?? '(no subject)', 60)}`
            );
        }
        check(threads.length > 0, `${formatInt(threads.length)} threads read from the mirror, each a GmailThread`);

        out('\n4. Send an email through triggerAction');
        const sent = await service.triggerAction(INTEGRATION, 'send-email', CONNECTION, {
            to: [{ email: 'ada.lovelace@example.com', name: 'Ada Lovelace' }],
            subject: 'Backend rehearsal: the numbers',
            text: 'Hello Ada,\n\nThe numbers, as promised.\n\nBest'
        });
        out(`  sent message ${sent.id} in thread ${sent.threadId}`);
        const refused = await service.triggerAction(INTEGRATION, 'send-email', CONNECTION, { to: [], subject: 'nobody', text: 'x' }).then(
            () => undefined,
            (error: unknown) => error
        );
        check(
            (refused as { name?: string } | undefined)?.name === 'ActionError',
            `an invalid send is an ActionError (${(refused as { code?: string } | undefined)?.code ?? 'no error'})`
        );

        out("\n5. The next sync's webhook brings the sent message into the mirror");
        const before = webhooks.length;
        await runSyncs();
        for (const w of webhooks.slice(before)) out(`  webhook ${describeWebhook(w)}`);
        const mirroredThread = (await mirror.records(CONNECTION, 'GmailThread')).find((record) => record['id'] === sent.threadId);
        const messages = mirroredThread ? GmailThread.parse(mirroredThread).messages : [];
        check(
            messages.some((message) => message.id === sent.id),
            `thread ${sent.threadId} in the mirror holds message ${sent.id}`
        );

        out('\n6. A forged webhook is refused');
        const forged = JSON.stringify({ ...(webhooks[0] ?? {}), responseResults: { added: 1000, updated: 0, deleted: 0 } });
        const forgedAnswer = await fetch(webhookUrl, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'X-Nango-Hmac-Sha256': signWebhook('not-the-signing-key', forged) },
            body: forged
        });
        const seen = webhooks.length;
        await receiver.idle();
        check(forgedAnswer.status === 401 && webhooks.length === seen, `signed with another key: ${forgedAnswer.status}, nothing done`);

        out('\n7. 40 days pass');
        api.clock.advance(40 * DAY_MS);
        for (const model of MODELS) {
            const { pruned, total } = await countPruned(service, model);
            const mirrored = await mirror.records(CONNECTION, model);
            const whole = mirrored.filter((record) => Object.keys(record).length > 1).length;
            out(`  ${model}: Nango's records API answers ${formatInt(pruned)} of ${formatInt(total)} pruned (id and _nango_metadata only)`);
            check(pruned === total && whole === mirrored.length, `${model}: the mirror still holds all ${formatInt(whole)} whole`);
        }

        out('\nVerdict: the mirror against Nango’s cache against the provider');
        const verdicts = MODELS.map((model) => verdictOf(api!, model));
        const rows = await Promise.all(verdicts.map((v) => completeVerdict(v, mirror)));
        out(verdictTable(rows));
        for (const row of rows) {
            if (!row.cache.ok) failures.push(`${row.model}: Nango's cache differs from the provider`);
            if (!row.mirror.ok || row.mirrorDiffers.length > 0) {
                failures.push(`${row.model}: the mirror differs (${row.mirrorDiffers.slice(0, 5).join(', ')})`);
            }
        }
    } finally {
        await api?.close();
        await new Promise<void>((resolve) => (receiverServer ? receiverServer.close(() => resolve()) : resolve()));
        await mirrorStore.close();
        store.close();
        rmSync(dir, { recursive: true, force: true });
    }
    if (failures.length > 0) {
        out(`\nFAIL: ${failures.join('; ')}`);
        return 1;
    }
    out(`\nPASS: mirror = Nango's cache = provider, and the mirror outlives pruning (${formatMs(performance.now() - started)}).`);
    return 0;
}

function describeWebhook(w: NangoWebhook): string {
    if (w.type !== 'sync') return w.type;
    if (!w.success) return `${w.model} ${w.syncType} failed: ${w.error.description}`;
    const r = w.responseResults;
    return `${w.model} ${w.syncType} +${r.added} ~${r.updated} -${r.deleted ?? 0}`;
}

async function countPruned(service: NangoService, model: RehearsedModel): Promise<{ pruned: number; total: number }> {
    let pruned = 0;
    let total = 0;
    let cursor: string | undefined;
    do {
        const page = await service.listRecords(model, { connectionId: CONNECTION, limit: 1000, ...(cursor ? { cursor } : {}) });
        for (const record of page.records) {
            if (record._nango_metadata.deleted_at !== null) continue;
            total++;
            if (record._nango_metadata.pruned_at !== null) pruned++;
        }
        cursor = page.next_cursor ?? undefined;
    } while (cursor);
    return { pruned, total };
}

/** Nango's cache (its rows, payloads included: what was saved) against the provider's truth. */
function verdictOf(api: LocalNango, model: RehearsedModel): { model: RehearsedModel; cache: Verdict; provider: number; api: LocalNango } {
    const entry = INTEGRATIONS.find((candidate) => candidate.id === INTEGRATION)!;
    const simulator = entry.syncs.flatMap((sync) => sync.models).find((m) => m.model === model)!.simulator;
    const sim = api.registry.simulators(entry, CONNECTION, [simulator]).get(simulator)!;
    const truth = truthFor(api.registry.store, INTEGRATION, CONNECTION, model, sim);
    const cached = api.registry.store.allRecords({ integration: INTEGRATION, connectionId: CONNECTION }, model);
    return { model, provider: truth.length, cache: verdictOfCache(model, truth, cached, (m, r) => sim.versionOf(m, r)), api };
}

async function completeVerdict(v: ReturnType<typeof verdictOf>, mirror: Mirror): Promise<ModelVerdict> {
    const entry = INTEGRATIONS.find((candidate) => candidate.id === INTEGRATION)!;
    const simulator = entry.syncs.flatMap((sync) => sync.models).find((m) => m.model === v.model)!.simulator;
    const sim = v.api.registry.simulators(entry, CONNECTION, [simulator]).get(simulator)!;
    const mirrored = await mirror.records(CONNECTION, v.model);
    const truth = truthFor(v.api.registry.store, INTEGRATION, CONNECTION, v.model, sim);
    const asCached = mirrored.map((record) => ({ ...record, id: String(record['id']), _nango_metadata: { deleted_at: null } }));
    const cached = new Map<string, string>();
    for (const record of v.api.registry.store.allRecords({ integration: INTEGRATION, connectionId: CONNECTION }, v.model)) {
        if (record._nango_metadata.deleted_at !== null) continue;
        const { _nango_metadata: _meta, ...data } = record;
        cached.set(record.id, canonical(data));
    }
    const mirrorDiffers = mirrored.filter((record) => cached.get(String(record['id'])) !== canonical(record)).map((r) => String(r['id']));
    if (mirrored.length !== cached.size) mirrorDiffers.push(`${mirrored.length} mirrored vs ${cached.size} cached`);
    return {
        model: v.model,
        provider: v.provider,
        cache: v.cache,
        mirror: verdictOfCache(v.model, truth, asCached, (m, r) => sim.versionOf(m, r)),
        mirrorDiffers
    };
}

function canonical(value: unknown): string {
    return JSON.stringify(value, (_key, v: unknown) =>
        v && typeof v === 'object' && !Array.isArray(v)
            ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
            : v
    );
}

function verdictTable(rows: readonly ModelVerdict[]): string {
    const issues = (v: Verdict) => v.missing.length + v.stale.length + v.wronglyDeleted.length + v.notDeleted.length;
    return textTable(
        [
            { title: 'model' },
            { title: 'provider', align: 'right' },
            { title: 'cache', align: 'right' },
            { title: 'mirror', align: 'right' },
            { title: 'cache vs provider' },
            { title: 'mirror vs cache' },
            { title: 'mirror vs provider' }
        ],
        rows.map((row) => [
            row.model,
            formatInt(row.provider),
            formatInt(row.cache.stored),
            formatInt(row.mirror.stored),
            row.cache.ok ? 'OK' : `DIFFERS (${issues(row.cache)})`,
            row.mirrorDiffers.length === 0 ? 'OK' : `DIFFERS (${row.mirrorDiffers.length})`,
            row.mirror.ok ? 'OK' : `DIFFERS (${issues(row.mirror)})`
        ])
    );
}
