import { actionOf, integration as integrationOf } from '../catalog.js';
import type { ActionCommandOptions } from '../cli.js';
import { DEFAULT_CONNECTION, LIVE_CONNECTION } from '../connections.js';
import { confirmLiveWrite, liveCredentials } from '../live.js';
import { runOneAction } from '../run.js';
import { openStore } from '../store.js';
import { openTarget, printNotice, readJsonArgument, runTable } from './shared.js';

export async function actionCommand(integrationId: string, name: string, options: ActionCommandOptions): Promise<number> {
    const entry = integrationOf(integrationId);
    const action = actionOf(integrationId, name);
    const input = readJsonArgument(options.input, '--input');
    const live = options.live === true;
    if (live) {
        // Credentials first, so a missing token is reported before anyone is asked to confirm anything.
        liveCredentials(entry.id);
        await confirmLiveWrite(action.effect, options.yes === true);
    }
    printNotice();
    const connectionId = options.connection ?? (live ? LIVE_CONNECTION : DEFAULT_CONNECTION);
    const store = openStore();
    try {
        const { target, finish } = openTarget(entry, store, connectionId, live);
        try {
            const run = await runOneAction({ integration: entry.id, name: action.name, input, store, connectionId, target });
            if (run.row.status === 'success') {
                process.stdout.write(`${entry.id} ${action.name} succeeded. Output:\n${JSON.stringify(run.output, null, 2)}\n`);
            } else {
                process.stdout.write(`${entry.id} ${action.name} failed:\n${JSON.stringify(run.failure, null, 2)}\n`);
            }
            process.stdout.write(`\n${runTable([run.row])}\n`);
            if (run.row.status === 'success' && !live) {
                process.stdout.write(
                    `The next run of ${action.resyncs.join(', ')} picks this up: npm start -- sync ${entry.id} ${action.resyncs[0]}\n`
                );
            }
            return run.row.status === 'success' ? 0 : 1;
        } finally {
            finish();
        }
    } finally {
        store.close();
    }
}
