export { PeopleSimulator, PEOPLE_HOST, PEOPLE_READS_PER_MINUTE, type PeopleSimulatorOptions, type PeopleSnapshot } from './simulator.js';
export type { StoredContact } from './store.js';
