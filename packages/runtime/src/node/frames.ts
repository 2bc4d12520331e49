// The frame-kind registry: which layer handles each frame kind addressed to this node, and who relays.
import { Addr, type Frame, FrameKind } from '@troupe/transport';
import { FrameKindTakenError, InvalidFrameKindError } from './seam-errors.js';

/** Handles one frame; `via` is the authenticated peer it came from. Frame buffers are views: copy to keep. */
export type FrameHandler = (frame: Frame, via: Addr) => void;

/** Highest frame kind (one byte on the wire). */
const MAX_KIND = 255;

/**
 * Dispatches inbound frames by kind. The core claims its kinds like any extension does, so a new kind
 * never means editing a switch. Frames for other nodes go to the one transit handler (a harbor).
 */
export class FrameKinds {
  readonly #handlers: Array<FrameHandler | undefined> = new Array(MAX_KIND + 1);
  readonly #owners: Array<string | undefined> = new Array(MAX_KIND + 1);
  #transit: FrameHandler | undefined;
  #transitOwner: string | undefined;

  constructor(
    private readonly self: Addr,
    /** A frame nobody claimed (unknown kind, or a frame for another node with no relay here). */
    private readonly unclaimed: (frame: Frame, via: Addr, reason: string) => void,
    /** A handler threw: the frame is dropped, the link and the other handlers go on. */
    private readonly failed: (err: unknown, frame: Frame, via: Addr, owner: string) => void,
  ) {}

  /** Claims `kind` for `owner`; throws `FrameKindTakenError` when another owner holds it. */
  claim(kind: number, handler: FrameHandler, owner: string): void {
    if (!Number.isInteger(kind) || kind < FrameKind.User || kind > MAX_KIND)
      throw new InvalidFrameKindError(`frame kind ${kind} is outside ${FrameKind.User}..${MAX_KIND}`);
    const held = this.#owners[kind];
    if (held !== undefined)
      throw new FrameKindTakenError(`frame kind ${kind} is already claimed by ${held} (wanted by ${owner})`);
    this.#handlers[kind] = handler;
    this.#owners[kind] = owner;
  }

  /** Claims frames addressed to other nodes; only one owner may. */
  claimTransit(handler: FrameHandler, owner: string): void {
    if (this.#transitOwner !== undefined)
      throw new FrameKindTakenError(
        `transit frames are already claimed by ${this.#transitOwner} (wanted by ${owner})`,
      );
    this.#transit = handler;
    this.#transitOwner = owner;
  }

  /** Who holds `kind`, if anyone. */
  owner(kind: number): string | undefined {
    return this.#owners[kind];
  }

  /** Routes one inbound frame to its handler. A handler that throws loses that frame only. */
  dispatch(frame: Frame, via: Addr): void {
    if (frame.to !== this.self) {
      const transit = this.#transit;
      if (transit === undefined) this.unclaimed(frame, via, `misrouted frame from ${Addr.format(via)}`);
      else this.run(transit, frame, via, this.#transitOwner!);
      return;
    }
    const handler = this.#handlers[frame.kind];
    if (handler === undefined) this.unclaimed(frame, via, `unknown frame kind ${frame.kind}`);
    else this.run(handler, frame, via, this.#owners[frame.kind]!);
  }

  private run(handler: FrameHandler, frame: Frame, via: Addr, owner: string): void {
    try {
      handler(frame, via);
    } catch (err) {
      this.failed(err, frame, via, owner);
    }
  }
}
