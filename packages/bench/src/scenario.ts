// What a scenario is, and how its runs are taken: sides opened once, measured in turn each run, medians kept.
import { freePort, median, type SpawnOptions, spawnWorker, type WorkerHandle } from './harness.js';
import type { Sample, Side, SideContext, Window } from './sides.js';

/** A target for Troupe's figure: against the baseline or Moleculer (a ratio), or an absolute value. */
export interface Goal {
  of: 'baseline' | 'moleculer' | 'value';
  atLeast?: number;
  atMost?: number;
}

/** One run's figures. NaN marks a side that could not be measured. */
export interface Figures {
  troupe: number;
  baseline: number;
  moleculer?: number;
  /** Secondary figures, keyed `<column>.<metric>` (e.g. `baseline.p99Us`). */
  extra?: Record<string, number>;
}

export interface Windows {
  /** In-process scenarios. */
  local: Window;
  /** Scenarios across processes (connections to warm up, more noise). */
  remote: Window;
}

/** What a scenario's `run` gets. */
export interface ScenarioContext extends SideContext {
  windows: Windows;
  /**
   * Measures the side shown in `column`, opening it with `open` on first use; it stays open for the rest of the
   * scenario's runs. A side that fails to open or to measure yields NaN and its reason is reported.
   */
  measure(column: string, open: () => Promise<Side>, window: Window): Promise<Sample>;
}

export interface Scenario {
  name: string;
  /** Unit of the Troupe and baseline figures. */
  unit: string;
  /** What Troupe does here, in a line. */
  summary: string;
  /** The baseline in a few words, for the goal column ("raw TCP"). */
  baselineName: string;
  goals: Goal[];
  /** Labels for `extra` metrics; `ratio` asks the report to print troupe/baseline for that metric. */
  extraMetrics?: Record<string, { label: string; ratio?: boolean }>;
  /** One run: every side measured once, in a fixed order (troupe, baseline, moleculer). */
  run(ctx: ScenarioContext): Promise<Figures>;
}

export interface ScenarioResult {
  scenario: Scenario;
  runs: Figures[];
  troupe: number;
  baseline: number;
  moleculer?: number;
  /** troupe / baseline, of the medians. */
  ratio: number;
  /** troupe / moleculer, of the medians. */
  vsMoleculer?: number;
  extra: Record<string, number>;
  /** Why a column is n/a, by column. */
  unavailable: Record<string, string>;
}

export interface RunOptions {
  runs: number;
  quick: boolean;
  windows: Windows;
  /** Called after each run. */
  onRun?(index: number, figures: Figures): void;
}

function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Takes `options.runs` runs of `scenario` and kills every worker it spawned, however it ends. */
export async function runScenario(scenario: Scenario, options: RunOptions): Promise<ScenarioResult> {
  const workers = new Set<WorkerHandle>();
  const sides = new Map<string, Promise<Side>>();
  const unavailable: Record<string, string> = {};
  const ctx: ScenarioContext = {
    quick: options.quick,
    windows: options.windows,
    freePort,
    async spawn(script: URL, opts?: SpawnOptions) {
      const worker = await spawnWorker(script, opts);
      workers.add(worker);
      return worker;
    },
    async measure(column, open, window) {
      if (unavailable[column] !== undefined) return { value: Number.NaN };
      let side = sides.get(column);
      if (side === undefined) {
        side = open();
        sides.set(column, side);
      }
      try {
        return await (await side).measure(window);
      } catch (err) {
        unavailable[column] = reason(err);
        return { value: Number.NaN };
      }
    },
  };

  const runs: Figures[] = [];
  try {
    for (let i = 0; i < options.runs; i++) {
      const figures = await scenario.run(ctx);
      runs.push(figures);
      options.onRun?.(i, figures);
    }
  } finally {
    for (const side of sides.values()) await side.then((s) => s.close()).catch(() => {});
    for (const worker of workers) worker.kill();
  }

  const troupe = median(runs.map((r) => r.troupe));
  const baseline = median(runs.map((r) => r.baseline));
  const result: ScenarioResult = {
    scenario,
    runs,
    troupe,
    baseline,
    ratio: troupe / baseline,
    extra: {},
    unavailable,
  };
  if (runs.some((r) => r.moleculer !== undefined)) {
    result.moleculer = median(runs.map((r) => r.moleculer ?? Number.NaN));
    result.vsMoleculer = troupe / result.moleculer;
  }
  const keys = new Set(runs.flatMap((r) => Object.keys(r.extra ?? {})));
  for (const key of keys) result.extra[key] = median(runs.map((r) => r.extra?.[key] ?? Number.NaN));
  return result;
}

/** Whether Troupe meets `goal`; undefined while a figure it needs is missing. */
export function goalMet(goal: Goal, result: ScenarioResult): boolean | undefined {
  const x =
    goal.of === 'baseline' ? result.ratio : goal.of === 'moleculer' ? result.vsMoleculer : result.troupe;
  if (x === undefined || !Number.isFinite(x)) return undefined;
  return (goal.atLeast === undefined || x >= goal.atLeast) && (goal.atMost === undefined || x <= goal.atMost);
}
