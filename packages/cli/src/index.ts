// @rebind/cli: the `rebind` command. Programmatic entry for tests and embedding.
export { main } from './main.js';
export type { Command, Io } from './command.js';
