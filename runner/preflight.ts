/**
 * Imported first by the CLI, before anything that loads node:sqlite.
 *
 * The store needs Node 22 (node:sqlite). The repository installs Node 22 into node_modules/.bin, which `npm start`
 * puts first on the PATH; running `tsx runner/cli.ts` by hand on an older system Node would otherwise end in a
 * loader stack trace.
 */
import './sqlite-warning.js';

const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
    process.stderr.write(
        `error: the local runner needs Node 22 or later (this is ${process.version}). Run it with \`npm start -- ...\`, ` +
            'which uses the Node 22 that `npm install` put in node_modules/.bin.\n'
    );
    process.exit(1);
}
