/**
 * The runner's command line: commands, options and help texts. runner/cli.ts parses process.argv with it; tests
 * build it with their own output and exitOverride, to check the help and argument handling without a process.
 */
import { Command, Option } from 'commander';
import { INTEGRATIONS } from './catalog.js';
import { UserError } from './errors.js';
import { NOTICE } from './notice.js';

export interface ProgramOutput {
    writeOut(text: string): void;
    writeErr(text: string): void;
}

export async function buildProgram(
    argv: readonly string[],
    options: { output?: ProgramOutput; exitOverride?: boolean } = {}
): Promise<Command> {
    const { simulateHelp, actionHelp } = await helpTexts(argv.slice(2));
    const program = new Command('npm start --');
    if (options.output) program.configureOutput(options.output);
    if (options.exitOverride) program.exitOverride();
    program
        .description(
            'The local Nango runner. Without a command: the rehearsal — every sync and action of every integration, run against the ' +
                'built-in provider simulators, ending with a verdict against their ground truth.'
        )
        .addHelpText('before', `${NOTICE}\n`)
        .addHelpText('after', `\n${catalogText()}\n\nStore: .nango-local/store.sqlite (set NANGO_LOCAL_DIR to use another folder).`)
        .showHelpAfterError('(add --help for usage)')
        .allowExcessArguments(true)
        .action(async (_options: unknown, command: Command) => {
            // A mistyped command reaches here as an argument of the default action; it must not start a rehearsal.
            const [unknown] = command.args;
            if (unknown !== undefined) {
                const known = command.commands.map((c) => c.name()).join(', ');
                throw new UserError(`unknown command "${unknown}"; commands: ${known} (or none, for the rehearsal)`);
            }
            const { rehearse } = await import('./commands/rehearse.js');
            process.exitCode = await rehearse({});
        });

    program
        .command('rehearse')
        .description(
            'Run the rehearsal (the same as no command): every sync from scratch, simulated activity, syncs again, every action, a verdict.'
        )
        .option('--only <integration>', 'rehearse one integration only')
        .option('--backend', "rehearse the product's side: local Nango's webhooks, the receiver and the mirror (see README, Backend)")
        .action(async (options: { only?: string; backend?: boolean }) => {
            if (options.backend) {
                const { rehearseBackend } = await import('./commands/rehearse-backend.js');
                process.exitCode = await rehearseBackend();
                return;
            }
            const { rehearse } = await import('./commands/rehearse.js');
            process.exitCode = await rehearse(options.only === undefined ? {} : { only: options.only });
        });

    program
        .command('sync')
        .description(
            'Run one sync. Against the simulators (default) the provider state persists between runs, so a second run is incremental.'
        )
        .argument('<integration>', 'google-mail, salesforce or google-calendar')
        .argument('<sync>', 'the sync name, e.g. gmail-threads')
        .option('--connection <id>', 'connection id (default: local; live: live)')
        .option('--reset', "forget this sync's checkpoint and cached records first, so it runs from scratch")
        .option('--metadata <json>', 'set the connection metadata first (JSON, or @file.json), e.g. the calendars to sync')
        .option('--live', 'call the real provider API with a token from the environment instead of the simulator')
        .addHelpText('after', `\n${liveHelp()}`)
        .action(async (integration: string, sync: string, options: SyncCommandOptions) => {
            const { syncCommand } = await import('./commands/sync.js');
            process.exitCode = await syncCommand(integration, sync, options);
        });

    program
        .command('action')
        .description('Run one action with the given input and print its output.')
        .argument('<integration>', 'google-mail, salesforce or google-calendar')
        .argument('<action>', 'the action name, e.g. send-email')
        .requiredOption('--input <json>', 'the input as JSON, or @file.json to read it from a file')
        .option('--connection <id>', 'connection id (default: local; live: live)')
        .option('--live', 'call the real provider API (asks for confirmation, as actions write)')
        .option('--yes', 'confirm a live write without asking (needed when there is no terminal)')
        .addHelpText('after', () => `\n${actionHelp}${liveHelp()}`)
        .action(async (integration: string, action: string, options: ActionCommandOptions) => {
            const { actionCommand } = await import('./commands/action.js');
            process.exitCode = await actionCommand(integration, action, options);
        });

    program
        .command('records')
        .description("List cached records of a model, in the shape of Nango's records API (GET /records).")
        .argument('<model>', 'e.g. GmailThread, GoogleContact, SalesforceLead, SalesforceOpportunity, GoogleCalendarEvent')
        .option('--connection <id>', 'connection id (default: local, or the rehearsal when local holds nothing of this model)')
        .option('--modified-after <iso>', 'only records modified at or after this ISO 8601 time')
        .addOption(
            new Option('--filter <actions>', 'only records whose last action is one of these (comma-separated): added, updated, deleted')
        )
        .option('--limit <n>', 'records per page, 1 to 10000', '100')
        .option('--cursor <cursor>', 'continue after this cursor (the next_cursor of the previous page)')
        .option('--json', 'print the raw answer { records, next_cursor } instead of a table')
        .action(async (model: string, options: RecordsCommandOptions) => {
            const { recordsCommand } = await import('./commands/records.js');
            process.exitCode = await recordsCommand(model, options);
        });

    program
        .command('simulate')
        .description(
            'Make something happen at a simulated provider (new mail, edits, deletions, an expired sync token), for the next sync to pick up.'
        )
        .argument('[provider]', 'gmail, people, calendar or salesforce')
        .argument('[activity]', "one of the provider's activities; omit it to list them")
        .option('--connection <id>', 'connection id whose simulated provider changes (default: local)')
        .option('--count <n>', 'repeat the activity n times (1 to 10000), e.g. simulate calendar new-calendar --count 200', '1')
        .addHelpText('after', () => `\n${simulateHelp}`)
        .action(async (provider: string | undefined, activity: string | undefined, options: SimulateCommandOptions) => {
            const { simulateCommand } = await import('./commands/simulate.js');
            process.exitCode = await simulateCommand(provider, activity, options);
        });

    program
        .command('verify')
        .description("Compare a connection's cached records with the simulated providers' ground truth; exits 1 on any difference.")
        .argument('[integration]', 'google-mail, salesforce or google-calendar (default: all)')
        .option('--connection <id>', 'connection id (default: local, or the rehearsal when local has no simulated provider)')
        .action(async (integration: string | undefined, options: { connection?: string }) => {
            const { verifyCommand } = await import('./commands/verify.js');
            process.exitCode = await verifyCommand({ integration, connection: options.connection });
        });

    program
        .command('connect')
        .description(
            "Create a connection as Nango does: validate-connection (a failure refuses it, nothing is stored), Nango's own provider hook, post-connection-creation, then the first run of each of the integration's syncs (auto-start)."
        )
        .argument('<integration>', 'google-mail, salesforce or google-calendar')
        .option('--metadata <json>', 'the connection metadata (JSON, or @file.json), e.g. the push settings')
        .option('--connection <id>', 'connection id (default: local)')
        .option('--no-sync', 'leave the syncs unstarted')
        .action(async (integration: string, options: { metadata?: string; connection?: string; sync?: boolean }) => {
            const { connectCommand } = await import('./commands/connect.js');
            process.exitCode = await connectCommand(integration, options);
        });

    program
        .command('disconnect')
        .description(
            "Delete a connection as Nango does: pre-connection-deletion (stops watches), then the connection's records and state go."
        )
        .argument('<integration>', 'google-mail, salesforce or google-calendar')
        .option('--connection <id>', 'connection id (default: local)')
        .action(async (integration: string, options: { connection?: string }) => {
            const { disconnectCommand } = await import('./commands/connect.js');
            process.exitCode = await disconnectCommand(integration, options);
        });

    program
        .command('deliver')
        .description(
            "Deliver the push notifications the simulated providers queued to Nango's routing and the syncs' onWebhook; print what each changed."
        )
        .argument('[integration]', 'google-mail or google-calendar (default: every integration)')
        .option('--connection <id>', 'connection id whose simulated providers pushed (default: local)')
        .action(async (integration: string | undefined, options: { connection?: string }) => {
            const { deliverCommand } = await import('./commands/deliver.js');
            process.exitCode = await deliverCommand(integration, options);
        });

    program
        .command('serve')
        .description('Serve a local Nango API on 127.0.0.1 for `nango dryrun` and @nangohq/node, backed by this store and the simulators.')
        .option('--port <port>', 'port to listen on (0: any free port)', '3003')
        .option('--host <host>', 'loopback address to listen on (127.0.0.1 or ::1; anything else is refused)')
        .option(
            '--webhook-url <url>',
            "send Nango's sync webhooks there after each sync run (signed; key from NANGO_LOCAL_WEBHOOK_SIGNING_KEY)"
        )
        .option('--clock-offset <duration>', 'start the local clock this far ahead, e.g. 40d to see payloads pruned (not a Nango option)')
        .action(async (options: { port?: string; host?: string; webhookUrl?: string; clockOffset?: string }) => {
            const { serveCommand } = await import('../local-nango/serve.js');
            process.exitCode = await serveCommand(options);
        });

    program
        .command('replay')
        .description(
            'Run scripts in the local sandbox against the API answers of `nango dryrun --save` recordings; compare what they save, delete or return with the recording.'
        )
        .argument('<recording...>', '<integration>/<script>.test.json files, e.g. tests/recordings/salesforce/salesforce-leads.test.json')
        .action(async (files: string[]) => {
            const { replayCommand } = await import('./commands/replay.js');
            process.exitCode = await replayCommand(files);
        });
    return program;
}

/**
 * Help text is written synchronously, and two sections need modules loaded: the simulators' activities for
 * `simulate --help`, and the action's input fields (from its script's zod schema) for
 * `action <integration> <action> --help`. They are loaded only when that help is asked for.
 */
async function helpTexts(args: readonly string[]): Promise<{ simulateHelp: string; actionHelp: string }> {
    const help = args.some((arg) => arg === '--help' || arg === '-h');
    let simulateHelp = '';
    let actionHelp = '';
    if (help && args.includes('simulate')) {
        const { activityCatalog } = await import('./commands/simulate.js');
        simulateHelp = activityCatalog();
    }
    const named = args.indexOf('action');
    if (help && named >= 0) {
        const [integration, action] = args.slice(named + 1, named + 3);
        const entry = INTEGRATIONS.find((candidate) => candidate.id === integration);
        if (action !== undefined && entry?.actions.some((candidate) => candidate.name === action)) {
            const { actionInputHelp } = await import('./input-help.js');
            actionHelp = `${await actionInputHelp(entry.id, action)}\n\n`;
        }
    }
    return { simulateHelp, actionHelp };
}

export interface SyncCommandOptions {
    connection?: string;
    reset?: boolean;
    metadata?: string;
    live?: boolean;
}

export interface SimulateCommandOptions {
    connection?: string;
    count?: string;
}

export interface ActionCommandOptions {
    input: string;
    connection?: string;
    live?: boolean;
    yes?: boolean;
}

export interface RecordsCommandOptions {
    connection?: string;
    modifiedAfter?: string;
    filter?: string;
    limit: string;
    cursor?: string;
    json?: boolean;
}

function catalogText(): string {
    const lines = ['Integrations:'];
    for (const entry of INTEGRATIONS) {
        lines.push(
            `  ${entry.id.padEnd(16)} syncs: ${entry.syncs.map((s) => s.name).join(', ')}; actions: ${entry.actions.map((a) => a.name).join(', ')}`
        );
    }
    return lines.join('\n');
}

function liveHelp(): string {
    return [
        'Live mode reads tokens from the environment and never prints them:',
        '  google-mail, google-calendar: GOOGLE_ACCESS_TOKEN',
        '  salesforce: SALESFORCE_ACCESS_TOKEN and SALESFORCE_INSTANCE_URL',
        'Live records go to the connection "live" unless --connection says otherwise.'
    ].join('\n');
}
