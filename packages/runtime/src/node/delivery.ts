// The one local delivery path: tell, ask, inbound frames and extensions all reach a mailbox through it.
import type { Addr, TroupeError } from '@troupe/transport';
import type { ActorCell } from '../actor/cell.js';
import { Envelope, type Replier } from '../actor/envelope.js';
import type { ActorId } from '../actor/ref.js';
import type { LocalMessage } from './extension.js';

/** Takes a message for a local actor that does not exist; true when it took it (activation). */
export type MissingActorHook = (name: string, message: LocalMessage) => boolean;

/** What delivery needs from the node. */
export interface DeliveryHost {
  readonly addr: Addr;
  /** The live actor of that name, if any. */
  cell(name: string): ActorCell | undefined;
  deadLetter(to: ActorId, handler: string, reason: string): void;
  /** A hook threw: logged, and the next hook gets the message. */
  hookFailed(err: unknown, name: string): void;
}

/**
 * Puts messages into local mailboxes, asking the activation hooks about actors that do not exist.
 * `deliver` is the hot path and throws `MailboxFullError`; `offer` turns a full mailbox into an ask
 * failure or a dead letter (what a message from another node or an extension gets).
 */
export class LocalDelivery {
  readonly #hooks: MissingActorHook[] = [];

  constructor(private readonly host: DeliveryHost) {}

  /**
   * Delivers to `name`: true when an actor (or an activation hook) took the message, false when nobody
   * did. Throws `MailboxFullError` when the actor's mailbox is at its limit.
   */
  deliver(
    name: string,
    handler: string,
    arg: unknown,
    senderNode: number,
    senderName: string | undefined,
    replier: Replier | undefined,
  ): boolean {
    const cell = this.host.cell(name);
    if (cell !== undefined) {
      cell.enqueue(new Envelope(handler, arg, senderNode, senderName, replier));
      return true;
    }
    if (this.#hooks.length === 0) return false;
    const message: LocalMessage = {
      handler,
      arg,
      sender: senderName === undefined ? undefined : { node: senderNode, name: senderName },
      replyTo: replier,
    };
    return this.activate(name, message);
  }

  /** Like `deliver`, but a full mailbox fails the ask (`MAILBOX_FULL`) or dead-letters the tell. */
  offer(
    name: string,
    handler: string,
    arg: unknown,
    senderNode: number,
    senderName: string | undefined,
    replier: Replier | undefined,
  ): boolean {
    try {
      return this.deliver(name, handler, arg, senderNode, senderName, replier);
    } catch (err) {
      this.refused(name, handler, replier, err as TroupeError);
      return true;
    }
  }

  /** `offer` for a message in the extension form. */
  offerMessage(name: string, message: LocalMessage): boolean {
    const sender = message.sender;
    return this.offer(
      name,
      message.handler,
      message.arg,
      sender === undefined ? this.host.addr : sender.node,
      sender?.name,
      message.replyTo,
    );
  }

  /** Adds an activation hook; returns its unregister function. */
  onMissing(hook: MissingActorHook): () => void {
    this.#hooks.push(hook);
    return () => {
      const i = this.#hooks.indexOf(hook);
      if (i >= 0) this.#hooks.splice(i, 1);
    };
  }

  private activate(name: string, message: LocalMessage): boolean {
    // A copy: a hook may unregister itself (or another) while it runs.
    for (const hook of [...this.#hooks]) {
      try {
        if (hook(name, message)) return true;
      } catch (err) {
        this.host.hookFailed(err, name);
      }
    }
    return false;
  }

  private refused(name: string, handler: string, replier: Replier | undefined, err: TroupeError): void {
    if (replier !== undefined) replier.fail({ code: err.code ?? 'MAILBOX_FULL', message: err.message });
    else this.host.deadLetter({ node: this.host.addr, name }, handler, err.message);
  }
}
