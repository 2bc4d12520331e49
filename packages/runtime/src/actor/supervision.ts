// Supervision as a pure decision: a failure, the actor's policy and its failure history in, what to do out.
import { OptionError } from '@troupe/transport';
import type { AnyActorDefinition, SupervisionOptions } from './define.js';
import { checkDuration } from './duration.js';

/** Where a failure happened. `ask` and `cast` are handler failures; the rest run outside any reply. */
export type FailureSite = 'ask' | 'cast' | 'timer' | 'init' | 'terminated' | 'child';

/** What to do about one failure. */
export type Decision =
  /** The failure is the caller's answer (an ask's error) or only logged: the state stays. */
  | { action: 'ignore' }
  | { action: 'resume' }
  | { action: 'stop' }
  | { action: 'escalate' }
  /** Re-run `init` after `delayMs`; `history` is the failure times to keep for the next decision. */
  | { action: 'restart'; delayMs: number; history: number[] };

export type ResolvedSupervision = Readonly<Required<SupervisionOptions>>;

export const DEFAULT_SUPERVISION: ResolvedSupervision = Object.freeze({
  policy: 'restart',
  backoffBaseMs: 10,
  backoffMaxMs: 5000,
  windowMs: 10_000,
  onAskError: 'reply',
  onCastError: 'supervise',
});

const POLICIES = new Set(['restart', 'stop', 'resume', 'escalate']);

/** Merges and checks supervision options, naming the bad property. */
export function resolveSupervision(...layers: Array<SupervisionOptions | undefined>): ResolvedSupervision {
  const s = Object.assign({}, DEFAULT_SUPERVISION, ...layers.filter((l) => l !== undefined));
  if (!POLICIES.has(s.policy))
    throw new OptionError('supervision.policy', `must be restart, stop, resume or escalate, got ${s.policy}`);
  if (s.onAskError !== 'reply' && s.onAskError !== 'supervise')
    throw new OptionError('supervision.onAskError', `must be reply or supervise, got ${s.onAskError}`);
  if (s.onCastError !== 'supervise' && s.onCastError !== 'log')
    throw new OptionError('supervision.onCastError', `must be supervise or log, got ${s.onCastError}`);
  checkDuration('supervision.backoffBaseMs', s.backoffBaseMs);
  checkDuration('supervision.backoffMaxMs', s.backoffMaxMs);
  checkDuration('supervision.windowMs', s.windowMs);
  return Object.freeze(s);
}

/** Resolved supervision per definition, shared by its actors unless a spawn overrides it. */
const byDef = new WeakMap<AnyActorDefinition, ResolvedSupervision>();

export function supervisionOf(
  def: AnyActorDefinition,
  override: SupervisionOptions | undefined,
): ResolvedSupervision {
  if (override !== undefined) return resolveSupervision(def.supervision, override);
  let resolved = byDef.get(def);
  if (resolved === undefined) {
    resolved = resolveSupervision(def.supervision);
    byDef.set(def, resolved);
  }
  return resolved;
}

/**
 * Decides what a failure at `site` does. An ask's error is its caller's answer and leaves the actor
 * alone unless `onAskError: 'supervise'`; a cast's goes to the policy unless `onCastError: 'log'`.
 * Restarts back off: the n-th failure within `windowMs` of the previous ones waits
 * `min(backoffBaseMs * 2^(n-2), backoffMaxMs)`, the first restarts at once.
 */
export function decide(
  site: FailureSite,
  s: ResolvedSupervision,
  history: readonly number[],
  now: number,
): Decision {
  if (site === 'ask' && s.onAskError === 'reply') return { action: 'ignore' };
  if (site === 'cast' && s.onCastError === 'log') return { action: 'ignore' };
  switch (s.policy) {
    case 'resume':
      return { action: 'resume' };
    case 'stop':
      return { action: 'stop' };
    case 'escalate':
      return { action: 'escalate' };
    case 'restart': {
      const recent = history.filter((t) => now - t < s.windowMs);
      recent.push(now);
      const n = recent.length;
      const delayMs = n <= 1 ? 0 : Math.min(s.backoffBaseMs * 2 ** (n - 2), s.backoffMaxMs);
      return { action: 'restart', delayMs, history: recent };
    }
  }
}
