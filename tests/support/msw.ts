import { setupServer } from 'msw/node';

/**
 * The one msw server of a test file. Tests add a simulator's handlers with `server.use(...simulator.handlers)`;
 * anything no handler answers is an error, so a script that reaches for the real internet fails loudly.
 */
export const server = setupServer();
