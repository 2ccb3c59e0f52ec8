import './preflight.js';
import { UserError } from './errors.js';
import { exitQuietlyOnClosedPipe } from './pipes.js';
import { buildProgram } from './program.js';

// The commands import their option types from here.
export type { ActionCommandOptions, RecordsCommandOptions, SimulateCommandOptions, SyncCommandOptions } from './program.js';

exitQuietlyOnClosedPipe();

try {
    const program = await buildProgram(process.argv);
    await program.parseAsync(process.argv);
} catch (err) {
    // Printed here, through process.stderr.write, so that live mode's redaction sees every error text too.
    process.stderr.write(
        err instanceof UserError ? `error: ${err.message}\n` : `error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`
    );
    process.exitCode = 1;
}
