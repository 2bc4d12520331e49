// The `troupe.entities` system actor: what other nodes ask of this node's entities.
import { defineActor, type LocalMessage } from '@troupe/runtime';

/** What the control actor needs of its node's extension. */
export interface EntitiesCore {
  /** Gives up shard `shard` of `kind` if this node no longer places it here. */
  release(kind: string, shard: string): Promise<boolean>;
  save(kind: string, id: string): Promise<boolean>;
  route(kind: string, id: string, message: LocalMessage, hops: number, exclude: number | undefined): void;
}

/** A forwarded message: `[kind, id, handler, arg, hops, isAsk, senderNode, senderName, exclude]`. */
export type Forwarded = [
  string,
  string,
  string,
  unknown,
  number,
  boolean,
  number | null,
  string | null,
  number | null,
];

/**
 * Replies are deferred, so a release waiting for a passivation (or a forwarded ask waiting for the
 * entity) never holds up the next request.
 */
export const EntitiesControl = defineActor({
  init: (core: EntitiesCore) => core,
  handlers: {
    release(core, [kind, shard]: [string, string], ctx) {
      const reply = ctx.reply<boolean>();
      core.release(kind, shard).then(
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
    forward(core, [kind, id, handler, arg, hops, isAsk, senderNode, senderName, excluded]: Forwarded, ctx) {
      const exclude = excluded ?? undefined;
      const sender =
        senderNode !== null && senderName !== null ? { node: senderNode, name: senderName } : undefined;
      if (!isAsk) {
        core.route(kind, id, { handler, arg, sender, replyTo: undefined }, hops, exclude);
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
        exclude,
      );
      return reply;
    },
  },
});
