import { ensureCompiled } from '../../scripts/nango-folder.js';

/**
 * One `nango compile` of nango-integrations/ for the whole run, before any test file starts: the suites that read
 * the compiled manifest or run the bundles share it, and none compiles on its own while another reads build/.
 * Inside `npm test` the compile step has just run, so this finds the output fresh and does nothing.
 */
export default async function setup(): Promise<void> {
    await ensureCompiled();
}
