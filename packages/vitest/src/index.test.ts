import { expect, it } from 'vitest';
import { ENDPOINTS_ENV } from './index.js';

it('names its environment variable with the REBIND_ prefix', () => {
  expect(ENDPOINTS_ENV).toMatch(/^REBIND_/);
});
