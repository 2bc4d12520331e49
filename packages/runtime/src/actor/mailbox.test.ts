import { describe, expect, it } from 'vitest';
import type { Runnable } from './dispatcher.js';
import { Envelope, type SystemMessage } from './envelope.js';
import { Mailbox, type MessageInvoker } from './mailbox.js';

/** A scheduler that only records what it was given; the test runs the mailbox itself. */
class FakeScheduler {
  readonly scheduled: Runnable[] = [];
  schedule(r: Runnable): void {
    this.scheduled.push(r);
  }
}

class FakeInvoker implements MessageInvoker {
  readonly log: string[] = [];
  readonly escapedErrors: unknown[] = [];
  turns = 0;
  throwOn: string | undefined;
  onUser: ((env: Envelope) => void) | undefined;
  system(msg: SystemMessage): void {
    this.log.push(`sys:${msg.type}`);
  }
  user(env: Envelope): void {
    this.log.push(env.handler);
    this.onUser?.(env);
    if (env.handler === this.throwOn) throw new Error(`thrown by ${env.handler}`);
  }
  escaped(err: unknown): void {
    this.escapedErrors.push(err);
  }
  turnEnded(): void {
    this.turns++;
  }
}

const msg = (handler: string) => new Envelope(handler, undefined, 0, undefined, undefined);

function setup() {
  const scheduler = new FakeScheduler();
  const invoker = new FakeInvoker();
  const mailbox = new Mailbox(invoker, scheduler);
  return { scheduler, invoker, mailbox };
}

describe('mailbox', () => {
  it('schedules once, runs system messages first, within the budget', () => {
    const { scheduler, invoker, mailbox } = setup();
    mailbox.postUser(msg('a'));
    mailbox.postUser(msg('b'));
    mailbox.postSystem({ type: 'restart' });
    expect(scheduler.scheduled).toHaveLength(1);
    expect(mailbox.run(2)).toBe(2);
    expect(invoker.log).toEqual(['sys:restart', 'a']);
    // Work is left: it schedules itself again.
    expect(scheduler.scheduled).toHaveLength(2);
    expect(mailbox.run(10)).toBe(1);
    expect(invoker.log).toEqual(['sys:restart', 'a', 'b']);
    expect(scheduler.scheduled).toHaveLength(2);
    expect(mailbox.idle).toBe(true);
  });

  it('survives a message that throws: reports it, stays runnable, keeps the rest queued', () => {
    const { scheduler, invoker, mailbox } = setup();
    invoker.throwOn = 'bad';
    mailbox.postUser(msg('bad'));
    mailbox.postUser(msg('good'));
    mailbox.run(10);
    expect(invoker.escapedErrors).toHaveLength(1);
    expect(invoker.turns).toBe(1);
    expect(mailbox.running).toBe(false);
    expect(scheduler.scheduled).toHaveLength(2);
    mailbox.run(10);
    expect(invoker.log).toEqual(['bad', 'good']);
    mailbox.postUser(msg('later'));
    expect(scheduler.scheduled).toHaveLength(3);
  });

  it('holds everything while an async handler runs, and runs on after release', () => {
    const { scheduler, invoker, mailbox } = setup();
    invoker.onUser = (env) => {
      if (env.handler === 'async') mailbox.hold();
    };
    mailbox.postUser(msg('async'));
    mailbox.postUser(msg('next'));
    mailbox.run(10);
    expect(invoker.log).toEqual(['async']);
    mailbox.postSystem({ type: 'restart' });
    expect(scheduler.scheduled).toHaveLength(1);
    mailbox.release();
    expect(scheduler.scheduled).toHaveLength(2);
    mailbox.run(10);
    expect(invoker.log).toEqual(['async', 'sys:restart', 'next']);
  });

  it('suspended: user messages wait, system messages still run; resume schedules the rest', () => {
    const { scheduler, invoker, mailbox } = setup();
    mailbox.suspend();
    mailbox.postUser(msg('u1'));
    expect(scheduler.scheduled).toHaveLength(0);
    mailbox.postSystem({ type: 'stop', reason: 'x' });
    expect(scheduler.scheduled).toHaveLength(1);
    mailbox.run(10);
    expect(invoker.log).toEqual(['sys:stop']);
    expect(mailbox.length).toBe(1);
    mailbox.resume();
    expect(scheduler.scheduled).toHaveLength(2);
    mailbox.run(10);
    expect(invoker.log).toEqual(['sys:stop', 'u1']);
  });

  it('close returns what was queued and refuses further messages', () => {
    const { scheduler, mailbox } = setup();
    mailbox.suspend();
    mailbox.postUser(msg('a'));
    mailbox.postUser(msg('b'));
    expect(mailbox.close().map((e) => e.handler)).toEqual(['a', 'b']);
    mailbox.postUser(msg('c'));
    mailbox.postSystem({ type: 'restart' });
    expect(mailbox.length).toBe(0);
    expect(scheduler.scheduled).toHaveLength(0);
    expect(mailbox.run(10)).toBe(0);
  });

  it('reports an error thrown when the turn ends and still goes idle', () => {
    const { invoker, mailbox } = setup();
    invoker.turnEnded = () => {
      throw new Error('turn hook');
    };
    mailbox.postUser(msg('a'));
    mailbox.run(10);
    expect(invoker.escapedErrors).toHaveLength(1);
    expect(mailbox.idle).toBe(true);
  });
});
