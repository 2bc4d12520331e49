// `pnpm bench [name...] [--runs N] [--quick] [--json FILE]`: runs the scenarios and prints Troupe against its baselines.
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { installCleanup, killAllWorkers } from './harness.js';
import { formatFigure, jsonReport, renderReport } from './report.js';
import { type Figures, runScenario, type Scenario, type ScenarioResult, type Windows } from './scenario.js';
import { SCENARIOS } from './scenarios/index.js';

const USAGE = `usage: pnpm bench [scenario...] [--runs N] [--quick] [--json FILE] [--list]

  scenario    names or name prefixes (remote-ask = remote-ask-1, -100 and -1000); default: all
  --runs N    measurements of every figure, troupe and baselines interleaved (default 5, 2 with --quick)
  --quick     short windows and fewer actors: a smoke test, not figures to quote
  --json FILE also write {scenario: {troupe, baseline, ratio, unit, runs, ...}} to FILE
  --list      list the scenarios and exit`;

const WINDOWS: Windows = {
  local: { warmupMs: 300, durationMs: 1000 },
  remote: { warmupMs: 500, durationMs: 1500 },
};
const QUICK_WINDOWS: Windows = {
  local: { warmupMs: 100, durationMs: 300 },
  remote: { warmupMs: 200, durationMs: 500 },
};

class UsageError extends Error {}

function select(names: readonly string[]): Scenario[] {
  if (names.length === 0) return [...SCENARIOS];
  const chosen = new Set<Scenario>();
  for (const name of names) {
    const exact = SCENARIOS.filter((s) => s.name === name);
    const matches = exact.length > 0 ? exact : SCENARIOS.filter((s) => s.name.startsWith(name));
    if (matches.length === 0) {
      throw new UsageError(`unknown scenario "${name}"; known: ${SCENARIOS.map((s) => s.name).join(', ')}`);
    }
    for (const s of matches) chosen.add(s);
  }
  return SCENARIOS.filter((s) => chosen.has(s));
}

function progress(scenario: Scenario, runs: number, index: number, f: Figures): void {
  const parts = [`troupe ${formatFigure(f.troupe)}`, `baseline ${formatFigure(f.baseline)}`];
  if (f.moleculer !== undefined) parts.push(`moleculer ${formatFigure(f.moleculer)}`);
  process.stderr.write(`  ${scenario.name} run ${index + 1}/${runs}: ${parts.join(', ')} ${scenario.unit}\n`);
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      runs: { type: 'string' },
      quick: { type: 'boolean', default: false },
      json: { type: 'string' },
      list: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (values.list) {
    for (const s of SCENARIOS) console.log(`${s.name.padEnd(15)} ${s.summary}; baseline: ${s.baselineName}`);
    return 0;
  }
  const quick = values.quick;
  const runs = values.runs === undefined ? (quick ? 2 : 5) : Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1)
    throw new UsageError(`--runs must be a positive integer, got ${values.runs}`);
  const scenarios = select(positionals);
  const windows = quick ? QUICK_WINDOWS : WINDOWS;

  installCleanup();
  const cpu = cpus();
  process.stderr.write(
    `troupe bench: node ${process.version}, ${cpu.length} x ${cpu[0]?.model ?? 'cpu'}, ${runs} runs` +
      `${quick ? ' (quick)' : ''}, windows ${windows.remote.durationMs} ms remote / ${windows.local.durationMs} ms local\n`,
  );
  const started = performance.now();
  const results: ScenarioResult[] = [];
  try {
    for (const scenario of scenarios) {
      process.stderr.write(`${scenario.name}: ${scenario.summary}\n`);
      results.push(
        await runScenario(scenario, {
          runs,
          quick,
          windows,
          onRun: (i, f) => progress(scenario, runs, i, f),
        }),
      );
    }
  } finally {
    killAllWorkers();
  }
  process.stderr.write(`done in ${((performance.now() - started) / 1000).toFixed(0)} s\n\n`);
  console.log(renderReport(results));

  if (values.json !== undefined) {
    // pnpm runs scripts from the workspace root; a relative path means relative to where the user typed it.
    const file = resolve(process.env.INIT_CWD ?? process.cwd(), values.json);
    writeFileSync(file, `${JSON.stringify(jsonReport(results), null, 2)}\n`);
    process.stderr.write(`wrote ${file}\n`);
  }
  const failed = results.some((r) => Object.keys(r.unavailable).length > 0);
  return failed ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    killAllWorkers();
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`${(err as Error).message}\n\n${USAGE}`);
      process.exitCode = 2;
    } else {
      console.error(err);
      process.exitCode = 1;
    }
  },
);
