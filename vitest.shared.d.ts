import type { UserConfig } from 'vitest/config';

export function rebindVitestConfig(options: {
  name: string;
  testTimeout?: number;
  hookTimeout?: number;
  include?: string[];
  fileParallelism?: boolean;
  pool?: 'forks' | 'threads';
}): UserConfig;
