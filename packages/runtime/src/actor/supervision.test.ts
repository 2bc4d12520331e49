import { OptionError } from '@troupe/transport';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SUPERVISION, decide, resolveSupervision } from './supervision.js';

describe('supervision decision', () => {
  const s = DEFAULT_SUPERVISION;

  it('leaves an actor alone when an ask fails: the error is the answer', () => {
    expect(decide('ask', s, [], 1000)).toEqual({ action: 'ignore' });
  });

  it('applies the policy to an ask failure when the definition says so', () => {
    const sup = resolveSupervision({ onAskError: 'supervise', policy: 'stop' });
    expect(decide('ask', sup, [], 1000)).toEqual({ action: 'stop' });
  });

  it('supervises cast failures by default and only logs them with onCastError: log', () => {
    expect(decide('cast', s, [], 1000)).toEqual({ action: 'restart', delayMs: 0, history: [1000] });
    expect(decide('cast', resolveSupervision({ onCastError: 'log' }), [], 1000)).toEqual({
      action: 'ignore',
    });
  });

  it('supervises failures outside a reply whatever the reply options', () => {
    const sup = resolveSupervision({ onCastError: 'log', policy: 'escalate' });
    for (const site of ['timer', 'init', 'terminated', 'child'] as const)
      expect(decide(site, sup, [], 0)).toEqual({ action: 'escalate' });
    expect(decide('timer', resolveSupervision({ policy: 'resume' }), [], 0)).toEqual({ action: 'resume' });
  });

  it('backs restarts off within the window and forgets failures outside it', () => {
    let history: number[] = [];
    const delays: number[] = [];
    for (const now of [0, 1, 2, 3, 4]) {
      const d = decide('timer', s, history, now);
      if (d.action !== 'restart') throw new Error('expected a restart');
      delays.push(d.delayMs);
      history = d.history;
    }
    expect(delays).toEqual([0, 10, 20, 40, 80]);
    const later = decide('timer', s, history, 4 + s.windowMs + 1);
    expect(later).toEqual({ action: 'restart', delayMs: 0, history: [4 + s.windowMs + 1] });
    const capped = decide('timer', resolveSupervision({ backoffMaxMs: 15 }), [0, 1, 2], 3);
    expect(capped).toMatchObject({ delayMs: 15 });
  });

  it('refuses bad options, naming the property', () => {
    expect(() => resolveSupervision({ policy: 'retry' as never })).toThrow(/supervision\.policy/);
    expect(() => resolveSupervision({ backoffMaxMs: Infinity })).toThrow(OptionError);
    expect(() => resolveSupervision({ windowMs: 3e9 })).toThrow(/supervision\.windowMs/);
    expect(() => resolveSupervision({ onAskError: 'crash' as never })).toThrow(/onAskError/);
  });
});
