// One `nango dryrun`, run by the CLI's own DryRunService (node_modules/nango/dist/services/dryrun.service.js, the
// code `nango dryrun` runs once it has compiled), without the compile step the command repeats on every call
// (a typecheck and a bundle of every script, about 20 s each time). The conformance check compiles once and runs
// this in the Nango folder's copy, with NANGO_HOSTPORT and NANGO_SECRET_KEY pointing at the local Nango API.
//
// Argument: a JSON job { nangoCli, fullPath, name, integration, connectionId, input?, checkpoint? }.
// `--save` is on: the CLI writes <fullPath>/<integration>/tests/<name>.test.json, which the parent reads.
import { pathToFileURL } from 'node:url';

const job = JSON.parse(process.argv[2] ?? '{}');
process.chdir(job.fullPath);
const { DryRunService } = await import(pathToFileURL(`${job.nangoCli}/dist/services/dryrun.service.js`).href);
const service = new DryRunService({ fullPath: job.fullPath, validation: true });
const result = await service.run({
    sync: job.name,
    connectionId: job.connectionId,
    optionalEnvironment: 'dev',
    optionalProviderConfigKey: job.integration,
    saveResponses: true,
    autoConfirm: true,
    debug: false,
    interactive: false,
    dependencyUpdate: false,
    ...(job.input === undefined ? {} : { input: JSON.stringify(job.input) }),
    ...(job.checkpoint === undefined ? {} : { checkpoint: JSON.stringify(job.checkpoint) })
});
process.exitCode = result.isErr() ? 1 : 0;
