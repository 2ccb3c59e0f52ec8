export { GmailSimulator, type GmailSimulatorOptions, type GmailSnapshot } from './simulator.js';
export { gmailUnits } from './routes.js';
export type { Mailbox, StoredMessage, StoredThread, HistoryRecord, HistoryType } from './store.js';
