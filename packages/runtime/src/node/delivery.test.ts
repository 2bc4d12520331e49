import { Addr, type WireError } from '@troupe/transport';
import { describe, expect, it } from 'vitest';
import type { ActorCell } from '../actor/cell.js';
import type { Envelope } from '../actor/envelope.js';
import type { ActorId } from '../actor/ref.js';
import { MailboxFullError } from '../errors.js';
import { LocalDelivery } from './delivery.js';
import type { LocalMessage } from './extension.js';

const SELF = Addr.parse('1.1.1');

/** A fake mailbox: keeps envelopes up to a limit, then throws as a cell does. */
class FakeCell {
  readonly got: Envelope[] = [];
  constructor(private readonly limit = 10) {}
  enqueue(env: Envelope): void {
    if (this.got.length >= this.limit) throw new MailboxFullError('full');
    this.got.push(env);
  }
}

function setup() {
  const cells = new Map<string, FakeCell>();
  const letters: string[] = [];
  const hookErrors: string[] = [];
  const delivery = new LocalDelivery({
    addr: SELF,
    cell: (name) => cells.get(name) as unknown as ActorCell | undefined,
    deadLetter: (to: ActorId, handler, reason) => letters.push(`${to.name}.${handler}: ${reason}`),
    hookFailed: (err, name) => hookErrors.push(`${name}: ${(err as Error).message}`),
  });
  return { cells, letters, hookErrors, delivery };
}

function replier() {
  const got: string[] = [];
  return {
    got,
    ok: (v: unknown) => got.push(`ok ${String(v)}`),
    fail: (e: WireError, thrown?: boolean) => got.push(`fail ${e.code}${thrown ? ' thrown' : ''}`),
  };
}

describe('LocalDelivery', () => {
  it('puts a message into the named mailbox with its sender and reply target', () => {
    const { cells, delivery } = setup();
    const cell = new FakeCell();
    cells.set('a', cell);
    const r = replier();
    expect(delivery.deliver('a', 'add', 1, 7, 'sender', r)).toBe(true);
    const env = cell.got[0]!;
    expect([env.handler, env.arg, env.senderNode, env.senderName, env.replier]).toEqual([
      'add',
      1,
      7,
      'sender',
      r,
    ]);
  });

  it('asks the activation hooks in order about a missing actor; false when none takes it', () => {
    const { cells, delivery, hookErrors } = setup();
    const asked: string[] = [];
    const seen: LocalMessage[] = [];
    expect(delivery.deliver('ghost', 'x', 1, SELF, undefined, undefined)).toBe(false);
    const offThrowing = delivery.onMissing(() => {
      throw new Error('broken hook');
    });
    delivery.onMissing((name) => {
      asked.push(`first ${name}`);
      return false;
    });
    delivery.onMissing((name, message) => {
      asked.push(`second ${name}`);
      seen.push(message);
      const cell = new FakeCell();
      cells.set(name, cell);
      return delivery.deliver(name, message.handler, message.arg, SELF, undefined, message.replyTo);
    });
    expect(delivery.deliver('room/1', 'join', { uid: 1 }, 9, 'gate', undefined)).toBe(true);
    expect(asked).toEqual(['first room/1', 'second room/1']);
    expect(seen).toEqual([
      { handler: 'join', arg: { uid: 1 }, sender: { node: 9, name: 'gate' }, replyTo: undefined },
    ]);
    expect(cells.get('room/1')!.got).toHaveLength(1);
    expect(hookErrors).toEqual(['room/1: broken hook']);
    // Unregistered hooks are not asked again; the existing actor no longer needs them.
    offThrowing();
    expect(delivery.deliver('room/1', 'join', 2, SELF, undefined, undefined)).toBe(true);
    expect(asked).toHaveLength(2);
  });

  it('deliver throws on a full mailbox; offer fails the ask or dead-letters the tell instead', () => {
    const { cells, delivery, letters } = setup();
    cells.set('full', new FakeCell(0));
    expect(() => delivery.deliver('full', 'x', 1, SELF, undefined, undefined)).toThrow(MailboxFullError);
    const r = replier();
    expect(delivery.offer('full', 'x', 1, SELF, undefined, r)).toBe(true);
    expect(r.got).toEqual(['fail MAILBOX_FULL']);
    expect(delivery.offer('full', 'tell', 1, SELF, undefined, undefined)).toBe(true);
    expect(letters).toEqual(['full.tell: full']);
  });

  it('offerMessage takes the extension form: no sender means this node', () => {
    const { cells, delivery } = setup();
    const cell = new FakeCell();
    cells.set('a', cell);
    expect(delivery.offerMessage('a', { handler: 'h', arg: 2, sender: undefined, replyTo: undefined })).toBe(
      true,
    );
    expect(cell.got[0]!.senderNode).toBe(SELF);
    expect(cell.got[0]!.senderName).toBeUndefined();
    expect(delivery.offerMessage('b', { handler: 'h', arg: 2, sender: undefined, replyTo: undefined })).toBe(
      false,
    );
  });
});
