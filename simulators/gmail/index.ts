export { GmailSimulator, type GmailSimulatorOptions, type GmailSnapshot } from './simulator.js';
export { gmailUnits } from './routes.js';
export type { Mailbox, StoredMessage, StoredThread, HistoryRecord, HistoryType } from './store.js';
export { DEFAULT_PUBSUB, WATCH_LIFETIME_MS, NOTIFICATION_INTERVAL_MS, type PubSubSetup, type WatchState } from './watch.js';
