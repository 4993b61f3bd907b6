import { createRequire } from 'node:module';
import { endpoints } from '@rebind/vitest';
import { it } from 'vitest';

const { check } = createRequire(import.meta.url)('../check.cjs');

it('a 1', () => check('a 1', endpoints().box));
it('a 2', () => check('a 2', endpoints().box));
