// What bots measure: requests, latencies, errors by code, reconnects; merged across processes, summarised.

/** Raw counters of one or many bots (plain data: it crosses process boundaries). */
export interface BotCounts {
  requests: number;
  latenciesMs: number[];
  errors: Record<string, number>;
  reconnects: number;
  connected: number;
}

export function emptyCounts(): BotCounts {
  return { requests: 0, latenciesMs: [], errors: {}, reconnects: 0, connected: 0 };
}

/** Adds `from` into `into`. */
export function mergeCounts(into: BotCounts, from: BotCounts): BotCounts {
  into.requests += from.requests;
  for (const l of from.latenciesMs) into.latenciesMs.push(l);
  for (const [code, n] of Object.entries(from.errors)) into.errors[code] = (into.errors[code] ?? 0) + n;
  into.reconnects += from.reconnects;
  into.connected += from.connected;
  return into;
}

/** The value at quantile `q` (0..1) of sorted `values`, or 0 for none. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** The summary table bots print at the end. */
export function summaryTable(counts: BotCounts, elapsedMs: number, clients: number, target: string): string {
  const sorted = [...counts.latenciesMs].sort((a, b) => a - b);
  const errors = Object.values(counts.errors).reduce((a, b) => a + b, 0);
  const rows: Array<[string, string]> = [
    ['target', target],
    ['clients', `${clients} (${counts.connected} connected)`],
    ['duration', `${(elapsedMs / 1000).toFixed(1)} s`],
    ['requests', String(counts.requests)],
    ['requests/s', (counts.requests / Math.max(elapsedMs / 1000, 0.001)).toFixed(1)],
    ['p50 latency', `${quantile(sorted, 0.5).toFixed(2)} ms`],
    ['p99 latency', `${quantile(sorted, 0.99).toFixed(2)} ms`],
    ['errors', String(errors)],
    ...Object.entries(counts.errors)
      .sort((a, b) => b[1] - a[1])
      .map(([code, n]): [string, string] => [`  ${code}`, String(n)]),
    ['reconnects', String(counts.reconnects)],
  ];
  const width = Math.max(...rows.map((r) => r[0].length));
  const line = `+${'-'.repeat(width + 2)}+${'-'.repeat(Math.max(...rows.map((r) => r[1].length)) + 2)}+`;
  const valueWidth = line.length - width - 7;
  return [line, ...rows.map(([k, v]) => `| ${k.padEnd(width)} | ${v.padEnd(valueWidth)} |`), line].join('\n');
}

/** One progress line: a bar, time, rate, p99 of the last interval, errors. */
export function progressLine(elapsedMs: number, totalMs: number, counts: BotCounts, rate: number): string {
  const width = 24;
  const done = Math.min(1, elapsedMs / totalMs);
  const bar = '#'.repeat(Math.round(done * width)).padEnd(width, '.');
  const sorted = [...counts.latenciesMs.slice(-2000)].sort((a, b) => a - b);
  const errors = Object.values(counts.errors).reduce((a, b) => a + b, 0);
  return `[${bar}] ${Math.round(elapsedMs / 1000)}s/${Math.round(totalMs / 1000)}s  ${counts.connected} clients  ${rate.toFixed(0)} req/s  p99 ${quantile(sorted, 0.99).toFixed(1)} ms  errors ${errors}`;
}
