/**
 * node:sqlite prints an ExperimentalWarning the first time a process loads it (Node 22), which would open every
 * command's output, and every test file's, with noise. Only that one warning is dropped; every other warning still
 * reaches Node's own printer.
 */
const printers = process.listeners('warning');
process.removeAllListeners('warning');
process.on('warning', (warning) => {
    if (warning.name === 'ExperimentalWarning' && /\bSQLite\b/.test(warning.message)) return;
    for (const printer of printers) printer(warning);
});

export {};
