/** The connection id subcommands use against the simulators unless `--connection` says otherwise. */
export const DEFAULT_CONNECTION = 'local';
/** The rehearsal's own connection id: it is reset at the start of every rehearsal. */
export const REHEARSAL_CONNECTION = 'rehearsal';
/** The default connection id of `--live` runs, so real data never mixes with simulated data. */
export const LIVE_CONNECTION = 'live';
