/**
 * `npm start -- records ... | head`: once the reader has what it wants it closes the pipe, and the next write fails
 * with EPIPE. Node ignores SIGPIPE, so without a handler that error ends the process with a stack trace; a command
 * line tool whose reader has gone simply stops, as `cat` does.
 */
export function exitQuietlyOnClosedPipe(streams: readonly NodeJS.WriteStream[] = [process.stdout, process.stderr]): void {
    for (const stream of streams) {
        stream.on('error', (err: NodeJS.ErrnoException) => {
            if (err.code === 'EPIPE') process.exit(0);
            throw err;
        });
    }
}
