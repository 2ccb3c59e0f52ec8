import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SystemClock } from '../../runtime/clock.js';
import { RecordsStore } from '../../runtime/records-store.js';
import { CalendarSimulator } from '../../simulators/calendar/index.js';
import { simulateCommand } from '../../runner/commands/simulate.js';
import { storeFile } from '../../runner/paths.js';
import { loadSimulators } from '../../runner/simulators.js';
import { freshLocalDir } from './cli-process.js';

function listedCalendars(): number {
    const store = new RecordsStore(storeFile());
    try {
        const sims = loadSimulators(store, 'local', ['calendar'], { clock: new SystemClock(), latencyMs: 0, limits: false });
        return (sims.get('calendar') as CalendarSimulator).store.listed().length;
    } finally {
        store.close();
    }
}

describe('simulate <provider> <activity> --count N', () => {
    let previous: string | undefined;
    let output: string;
    beforeEach(() => {
        previous = process.env['NANGO_LOCAL_DIR'];
        process.env['NANGO_LOCAL_DIR'] = freshLocalDir();
        output = '';
        vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
            output += String(chunk);
            return true;
        });
    });
    afterEach(() => {
        vi.restoreAllMocks();
        if (previous === undefined) delete process.env['NANGO_LOCAL_DIR'];
        else process.env['NANGO_LOCAL_DIR'] = previous;
    });

    it('applies the activity N times and keeps the result for the next sync', async () => {
        const before = listedCalendars();
        expect(await simulateCommand('calendar', 'new-calendar', { count: '12' })).toBe(0);
        expect(listedCalendars()).toBe(before + 12);
        expect(output).toMatch(/new-calendar 12 times:\n {2}.+\n {2}\.\.\. 10 more \.\.\.\n {2}.+\n/);
        expect(await simulateCommand('calendar', 'new-calendar', {})).toBe(0);
        expect(listedCalendars()).toBe(before + 13);
    });

    it('refuses a count that is not a whole number from 1 to 10000, before changing anything', async () => {
        for (const count of ['0', '-3', '2.5', 'many', '10001']) {
            await expect(simulateCommand('calendar', 'new-calendar', { count })).rejects.toThrow(
                /--count must be a whole number from 1 to 10000/
            );
        }
    });

    it('keeps what was applied before an activity failed, and says how far it got', async () => {
        const before = listedCalendars();
        const original = CalendarSimulator.prototype.applyActivity;
        let calls = 0;
        vi.spyOn(CalendarSimulator.prototype, 'applyActivity').mockImplementation(function (this: CalendarSimulator, name: string) {
            calls += 1;
            if (calls === 4) throw new Error('the provider is down');
            return original.call(this, name);
        });
        await expect(simulateCommand('calendar', 'new-calendar', { count: '10' })).rejects.toThrow(
            'new-calendar failed after 3 of 10 times: the provider is down'
        );
        vi.restoreAllMocks();
        expect(listedCalendars()).toBe(before + 3);
    });
});
