import { it } from 'vitest';
import { record } from '../record.js';

for (let n = 1; n <= 4; n++) it(`three ${n}`, () => record(`three ${n}`));
