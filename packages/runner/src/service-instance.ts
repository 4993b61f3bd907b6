import type { ServiceHandle } from '@rebind/core';
import type { ResolvedService } from './declaration.js';

export interface StartContext {
  readonly service: ResolvedService;
  readonly slot: number;
  /** Labels identifying this run's containers (for crash cleanup and leak checks). */
  readonly labels: Readonly<Record<string, string>>;
}

/** Starts one instance of a service: the manager's own handle, core's one handle shape. */
export type InstanceStarter = (context: StartContext) => Promise<ServiceHandle>;
