/* global it */
import { createRequire } from 'node:module';
import { endpoints } from '@rebind/jest';

const { record } = createRequire(import.meta.url)('../../record.cjs');

it('one 1', () => record('one 1', endpoints()));
it('one 2', () => record('one 2', endpoints()));
