import { createRequire } from 'node:module';
import { endpoints } from '@rebind/vitest';
import { it } from 'vitest';

const { check } = createRequire(import.meta.url)('../check.cjs');

it('b 1', () => check('b 1', endpoints().box));
it('b 2', () => check('b 2', endpoints().box));
