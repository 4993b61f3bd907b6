/* global it */
import { createRequire } from 'node:module';
import { endpoints } from '@rebind/jest';

const { record } = createRequire(import.meta.url)('../../record.cjs');

it('three 1', () => record('three 1', endpoints()));
it('three 2', () => record('three 2', endpoints()));
