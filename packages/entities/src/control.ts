// The `troupe.entities` system actor: what other nodes ask of this node's entities.
import { defineActor, type LocalMessage } from '@troupe/runtime';

/** What the control actor needs of its node's extension. */
export interface EntitiesCore {
  release(kind: string, id: string): Promise<boolean>;
  save(kind: string, id: string): Promise<boolean>;
  route(kind: string, id: string, message: LocalMessage, hops: number): void;
}

/** A forwarded message: `[kind, id, handler, arg, hops, isAsk, senderNode, senderName]`. */
export type Forwarded = [string, string, string, unknown, number, boolean, number | null, string | null];

/**
 * Replies are deferred, so a release waiting for a passivation (or a forwarded ask waiting for the
 * entity) never holds up the next request.
 */
export const EntitiesControl = defineActor({
  init: (core: EntitiesCore) => core,
  handlers: {
    release(core, [kind, id]: [string, string], ctx) {
      const reply = ctx.reply<boolean>();
      core.release(kind, id).then(
        (v) => reply.resolve(v),
        (e) => reply.reject(e),
      );
      return reply;
    },
    save(core, [kind, id]: [string, string], ctx) {
      const reply = ctx.reply<boolean>();
      core.save(kind, id).then(
        (v) => reply.resolve(v),
        (e) => reply.reject(e),
      );
      return reply;
    },
    forward(core, [kind, id, handler, arg, hops, isAsk, senderNode, senderName]: Forwarded, ctx) {
      const sender =
        senderNode !== null && senderName !== null ? { node: senderNode, name: senderName } : undefined;
      if (!isAsk) {
        core.route(kind, id, { handler, arg, sender, replyTo: undefined }, hops);
        return;
      }
      const reply = ctx.reply<unknown>();
      core.route(
        kind,
        id,
        {
          handler,
          arg,
          sender,
          replyTo: {
            ok: (value) => reply.resolve(value),
            fail: (error) => reply.reject(Object.assign(new Error(error.message), error)),
          },
        },
        hops,
      );
      return reply;
    },
  },
});
