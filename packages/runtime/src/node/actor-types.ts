// Actor types registered by name on a node, so other nodes can spawn them remotely.
import type { AnyActorDefinition } from '../actor/define.js';
import { UnknownActorTypeError } from './seam-errors.js';

/** Definitions by type name, and names by definition (both ways, for `spawnOn(addr, Def)`). */
export class ActorTypes {
  readonly #byName = new Map<string, AnyActorDefinition>();
  readonly #byDef = new Map<AnyActorDefinition, string>();

  /** Registers `def` as `name`; registering the same pair again is harmless, a different one throws. */
  register(name: string, def: AnyActorDefinition): void {
    if (typeof name !== 'string' || name === '')
      throw new TypeError('register: the type name must be a non-empty string');
    const held = this.#byName.get(name);
    if (held !== undefined && held !== def)
      throw new TypeError(`register: the type name "${name}" is already registered to another definition`);
    const named = this.#byDef.get(def);
    if (named !== undefined && named !== name)
      throw new TypeError(`register: this definition is already registered as "${named}"`);
    this.#byName.set(name, def);
    this.#byDef.set(def, name);
  }

  /** The definition registered as `name`; throws `UnknownActorTypeError`. */
  get(name: string, where: string): AnyActorDefinition {
    const def = this.#byName.get(name);
    if (def === undefined)
      throw new UnknownActorTypeError(`no actor type "${name}" is registered on ${where}`);
    return def;
  }

  /** The name `def` is registered under; throws `UnknownActorTypeError`. */
  nameOf(def: AnyActorDefinition, where: string): string {
    const name = this.#byDef.get(def);
    if (name === undefined)
      throw new UnknownActorTypeError(
        `this actor definition is not registered on ${where}: call node.register(name, definition) on every node that spawns or hosts it`,
      );
    return name;
  }

  names(): string[] {
    return [...this.#byName.keys()].sort();
  }
}
