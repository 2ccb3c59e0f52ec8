import { loadRecording } from '../replay/recording.js';
import { replay, type ReplayDifference } from '../replay/replay.js';

/** `npm start -- replay <recording.json>...`: exit 1 on any difference between a replay and its recording. */
export async function replayCommand(files: string[]): Promise<number> {
    let failed = 0;
    for (const file of files) {
        const loaded = loadRecording(file);
        const { differences, answered } = await replay(loaded);
        const label = `${loaded.integration}/${loaded.name}`;
        if (differences.length === 0) {
            process.stdout.write(`PASS ${label}: ${answered} recorded answer(s) replayed, same result\n`);
            continue;
        }
        failed += 1;
        process.stdout.write(`FAIL ${label}: ${differences.length} difference(s)\n`);
        for (const d of differences.slice(0, 50)) process.stdout.write(`  ${formatDifference(d)}\n`);
        if (differences.length > 50) process.stdout.write(`  ... and ${differences.length - 50} more\n`);
    }
    return failed === 0 ? 0 : 1;
}

export function formatDifference(d: ReplayDifference): string {
    const where = [d.script, d.model === 'request' || d.model === 'run' ? '' : d.model, d.id ? `record ${d.id}` : '']
        .filter(Boolean)
        .join(' ');
    const values = 'recorded' in d || 'replayed' in d ? `: recorded ${preview(d.recorded)} / replayed ${preview(d.replayed)}` : '';
    return `${where} ${d.model === 'output' || d.id ? `field ${d.field}` : d.field}${values}`;
}

function preview(value: unknown): string {
    const text = JSON.stringify(value) ?? 'undefined';
    return text.length > 120 ? `${text.slice(0, 120)}...` : text;
}
