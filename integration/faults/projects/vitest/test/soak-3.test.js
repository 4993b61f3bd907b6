import { createRequire } from 'node:module';
import { endpoints } from '@rebind/vitest';
import { it } from 'vitest';

const { record } = createRequire(import.meta.url)('../../../../runners/projects/record.cjs');
const count = Number(process.env.REBIND_SOAK_TESTS ?? 10);

for (let i = 0; i < count; i++) it(`soak ${i}`, () => record(`soak ${i}`, endpoints()));
