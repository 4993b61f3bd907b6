// N tests (REBIND_EXAMPLE_TESTS, default 20), each against a pristine server: the first
// answer of every test comes from an instance no earlier test saw.
import { endpoint } from '@rebind/vitest';
import { expect, it } from 'vitest';

const count = Number(process.env.REBIND_EXAMPLE_TESTS ?? 20);
const seen = new Set<string>();

for (let i = 1; i <= count; i++) {
  it(`test ${i} gets a pristine server`, async () => {
    const web = endpoint('web');
    const response = await fetch(web.url);
    expect(response.status).toBe(200);
    const answer = await response.text();
    expect(seen.has(answer)).toBe(false);
    seen.add(answer);
    expect(seen.has(web.token)).toBe(false);
    seen.add(web.token);
  });
}
