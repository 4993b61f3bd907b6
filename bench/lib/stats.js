// Figures for benchmarks: percentiles and a side-by-side table with ratios.

/** The q-quantile (0..1) of numbers, by nearest rank. */
export function quantile(values, q) {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index];
}

export const median = (values) => quantile(values, 0.5);
export const p95 = (values) => quantile(values, 0.95);

/** Times `fn` `count` times (after `warmup` untimed runs); returns the samples in ms. */
export async function sample(count, fn, { warmup = 0 } = {}) {
  for (let i = 0; i < warmup; i++) await fn(i);
  const samples = [];
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    await fn(i);
    samples.push(performance.now() - t0);
  }
  return samples;
}

function fmt(value, digits = 2) {
  if (typeof value !== 'number') return String(value);
  if (!Number.isFinite(value)) return String(value);
  return value >= 100 ? value.toFixed(0) : value.toFixed(digits);
}

/**
 * Prints rows `{ name, samples, ...extra }` as a table of median and p95 (ms), with the
 * ratio of each median to the `baseline` row's (the floor, or the peer we compare with).
 */
export function printTable(title, rows, { baseline, print = console.log, extra = [] } = {}) {
  const base = rows.find((r) => r.name === baseline);
  const baseMedian = base ? median(base.samples) : undefined;
  const header = ['', 'n', 'median ms', 'p95 ms', baseline ? `x ${baseline}` : '', ...extra];
  const lines = rows.map((r) => [
    r.name,
    String(r.samples.length),
    fmt(median(r.samples)),
    fmt(p95(r.samples)),
    baseMedian ? `${(median(r.samples) / baseMedian).toFixed(2)}x` : '',
    ...extra.map((e) => fmt(r[e] ?? '')),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const row = (cells) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  print(`\n${title}`);
  print(row(header));
  for (const l of lines) print(row(l));
  return rows.map((r) => ({
    name: r.name,
    n: r.samples.length,
    median: median(r.samples),
    p95: p95(r.samples),
    ratio: baseMedian ? median(r.samples) / baseMedian : undefined,
  }));
}
