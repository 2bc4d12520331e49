// Turns scenario results into the printed table, its footnotes, and the --json document.
import { type Goal, goalMet, type ScenarioResult } from './scenario.js';

/** A figure for people: 1.35M, 652k, 47.1k, 431, 14.2; NaN is "n/a". */
export function formatFigure(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return 'n/a';
  const abs = Math.abs(x);
  if (abs >= 1e6) return `${(x / 1e6).toFixed(abs >= 1e8 ? 0 : 2)}M`;
  if (abs >= 1e5) return `${(x / 1e3).toFixed(0)}k`;
  if (abs >= 1e4) return `${(x / 1e3).toFixed(1)}k`;
  if (abs >= 100) return x.toFixed(0);
  return x.toFixed(1);
}

export function formatRatio(x: number | undefined): string {
  return x === undefined || !Number.isFinite(x) ? 'n/a' : `${x.toFixed(2)}x`;
}

function goalText(goal: Goal, result: ScenarioResult): string {
  const { scenario } = result;
  const op = goal.atMost !== undefined ? '<=' : '>=';
  const bound = goal.atMost ?? goal.atLeast ?? 0;
  const text =
    goal.of === 'value'
      ? `${op} ${bound} ${scenario.unit}`
      : `${op} ${bound}x ${goal.of === 'moleculer' ? 'Moleculer' : scenario.baselineName}`;
  const met = goalMet(goal, result);
  return met === undefined ? text : `${text} ${met ? '✓' : '✗'}`;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join(' | ')
        .trimEnd(),
    )
    .join('\n');
}

/** "p50 / p99" in µs of `column`'s latencies, or '' when the scenario times none. */
function tail(r: ScenarioResult, column: string): string {
  const p50 = r.extra[`${column}.p50Us`];
  const p99 = r.extra[`${column}.p99Us`];
  return p50 === undefined && p99 === undefined ? '' : `${formatFigure(p50)} / ${formatFigure(p99)}`;
}

/** The results table, then per-scenario secondary figures and the reasons for every n/a. */
export function renderReport(results: readonly ScenarioResult[]): string {
  const withMoleculer = results.some((r) => r.moleculer !== undefined);
  // Ask scenarios time every call: their tail goes in the table beside the msgpack echo's.
  const withTail = results.some((r) => r.extra['troupe.p99Us'] !== undefined);
  const header = ['scenario', 'unit', 'troupe', 'baseline', 'ratio', 'goal'];
  if (withMoleculer) header.push('moleculer', 'vsMoleculer');
  if (withTail) header.push('troupe p50 / p99 µs', 'msgpack echo p50 / p99 µs');
  const rows = [header];
  for (const r of results) {
    const row = [
      r.scenario.name,
      r.scenario.unit,
      formatFigure(r.troupe),
      `${formatFigure(r.baseline)} (${r.scenario.baselineName})`,
      formatRatio(r.ratio),
      r.scenario.goals.map((g) => goalText(g, r)).join(', ') || '-',
    ];
    if (withMoleculer) {
      row.push(r.moleculer === undefined ? '' : formatFigure(r.moleculer));
      row.push(r.moleculer === undefined ? '' : formatRatio(r.vsMoleculer));
    }
    if (withTail) row.push(tail(r, 'troupe'), tail(r, 'msgpack'));
    rows.push(row);
  }

  const notes: string[] = [];
  for (const r of results) {
    for (const [metric, { label, ratio }] of Object.entries(r.scenario.extraMetrics ?? {})) {
      const cells = Object.entries(r.extra)
        .filter(([key]) => key.endsWith(`.${metric}`))
        .map(([key, value]) => `${key.slice(0, -metric.length - 1)} ${formatFigure(value)}`);
      if (cells.length === 0) continue;
      if (ratio === true) {
        const t = r.extra[`troupe.${metric}`];
        const b = r.extra[`baseline.${metric}`];
        if (t !== undefined && b !== undefined) cells.push(`ratio ${formatRatio(t / b)}`);
      }
      notes.push(`${r.scenario.name}: ${label}: ${cells.join(', ')}`);
    }
  }
  for (const r of results) {
    for (const [column, why] of Object.entries(r.unavailable))
      notes.push(`${r.scenario.name}: ${column} n/a: ${why}`);
  }
  return notes.length === 0 ? table(rows) : `${table(rows)}\n\n${notes.join('\n')}`;
}

/** NaN (a side that could not be measured) becomes null, as JSON has no NaN. */
function finite(x: number | undefined): number | null | undefined {
  return x === undefined ? undefined : Number.isFinite(x) ? x : null;
}

/**
 * The --json document: `{ [scenario]: { troupe, baseline, ratio, unit, runs, ... } }`, medians over the runs;
 * `runs` holds every run's figures; remote-ask scenarios add `moleculer` and `vsMoleculer`.
 */
export function jsonReport(results: readonly ScenarioResult[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const r of results) {
    out[r.scenario.name] = {
      troupe: finite(r.troupe),
      baseline: finite(r.baseline),
      ratio: finite(r.ratio),
      unit: r.scenario.unit,
      runs: r.runs.map((run) => ({
        troupe: finite(run.troupe),
        baseline: finite(run.baseline),
        moleculer: finite(run.moleculer),
        extra:
          run.extra === undefined
            ? undefined
            : Object.fromEntries(Object.entries(run.extra).map(([k, v]) => [k, finite(v)])),
      })),
      moleculer: finite(r.moleculer),
      vsMoleculer: finite(r.vsMoleculer),
      baselineName: r.scenario.baselineName,
      goals: r.scenario.goals.map((g) => ({ ...g, met: goalMet(g, r) ?? null })),
      extra: Object.fromEntries(Object.entries(r.extra).map(([k, v]) => [k, finite(v)])),
      unavailable: r.unavailable,
    };
  }
  return out;
}
