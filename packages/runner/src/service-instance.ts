import type { ResolvedService } from './declaration.js';

/** Where an instance listens, as its manager reports it. */
export interface InstanceAddress {
  readonly host: string;
  readonly port: number;
  readonly ports: Readonly<Record<string, number>>;
  readonly url: string;
  readonly pid?: number;
  /** The manager's own token for this instance, when it has one (nginx, containers). */
  readonly token?: string;
}

/** One running instance of a service, whatever manager runs it. */
export interface ServiceInstance {
  address(): InstanceAddress;
  /** Replaces the instance with a pristine one (the manager's restart strategy). */
  restart(): Promise<void>;
  /** Stops it; idempotent; never leaves a process or container behind. */
  stop(): Promise<void>;
}

export interface StartContext {
  readonly service: ResolvedService;
  readonly slot: number;
  /** Labels identifying this run's containers (for crash cleanup and leak checks). */
  readonly labels: Readonly<Record<string, string>>;
}

export type InstanceStarter = (context: StartContext) => Promise<ServiceInstance>;
