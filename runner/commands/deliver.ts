import { pushOutboxOf, type PushNotification } from '../../simulators/common/push.js';
import { INTEGRATIONS, integration as integrationOf, type IntegrationEntry } from '../catalog.js';
import { DEFAULT_CONNECTION } from '../connections.js';
import { deliver } from '../push.js';
import { openStore } from '../store.js';
import { openTarget, printNotice } from './shared.js';

/**
 * `deliver [<integration>]`: what the connection's simulated providers queued for Nango's webhook URL, routed and run
 * through onWebhook, one line per notification. Integrations whose simulators push nothing are skipped.
 */
export async function deliverCommand(integrationId: string | undefined, options: { connection?: string }): Promise<number> {
    const entries: IntegrationEntry[] = integrationId === undefined ? INTEGRATIONS : [integrationOf(integrationId)];
    printNotice();
    const connectionId = options.connection ?? DEFAULT_CONNECTION;
    const store = openStore();
    let failed = false;
    let delivered = 0;
    try {
        for (const entry of entries) {
            const { target, finish } = openTarget(entry, store, connectionId, false);
            try {
                const notifications = target.simulators.flatMap((sim) => pushOutboxOf(sim)?.take() ?? []);
                if (notifications.length === 0) {
                    if (integrationId !== undefined) process.stdout.write(`${entry.id}: nothing queued\n`);
                    continue;
                }
                const lines = await deliver({
                    store,
                    notifications: sortByEmission(notifications),
                    connectionId,
                    target,
                    out: process.stdout
                });
                delivered += lines.length;
                failed ||= lines.some((line) => line.runs.some((run) => run.status !== 'success'));
            } finally {
                finish();
            }
        }
        if (integrationId === undefined && delivered === 0) process.stdout.write('nothing queued\n');
        return failed ? 1 : 0;
    } finally {
        store.close();
    }
}

function sortByEmission(notifications: PushNotification[]): PushNotification[] {
    return [...notifications].sort((a, b) => a.emittedAt - b.emittedAt);
}
