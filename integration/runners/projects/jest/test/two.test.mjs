/* global it */
import { createRequire } from 'node:module';
import { endpoints } from '@rebind/jest';

const { record } = createRequire(import.meta.url)('../../record.cjs');

it('two 1', () => record('two 1', endpoints()));
it('two 2', () => record('two 2', endpoints()));
