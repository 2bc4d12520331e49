// Which session holds each uid, kept by the uid's owner gateway. One owner per uid (rendezvous
// hashing over the live gateways) serialises every claim and release of that uid in its mailbox, so
// bind, close and re-login cannot race.
import { type MemberRecord, rendezvous } from '@troupe/runtime';
import { DuplicateLoginError } from './errors.js';
import type { SessionId } from './session-ref.js';

/** The gateway that owns `uid`'s registry entry among `gateways` (every node agrees while views agree). */
export function uidOwner(uid: string, gateways: readonly MemberRecord[]): MemberRecord | undefined {
  return rendezvous(`uid:${uid}`, gateways);
}

/** What a claim did. */
export interface ClaimResult {
  /** The session that held the uid before and must now close (policy `replace`). */
  replaced: SessionId | undefined;
}

const same = (a: SessionId, b: SessionId) => a.gateway === b.gateway && a.id === b.id;

/** The uid -> session entries one owner keeps. */
export class UidRegistry {
  readonly #entries = new Map<string, SessionId>();

  get size(): number {
    return this.#entries.size;
  }

  /**
   * Gives `uid` to `session`. Another live holder is replaced (returned, to be closed) or, with
   * `refuse`, the claim throws `DuplicateLoginError`. Claiming a uid the session holds is a no-op.
   */
  claim(uid: string, session: SessionId, policy: 'replace' | 'refuse'): ClaimResult {
    const holder = this.#entries.get(uid);
    if (holder !== undefined && !same(holder, session)) {
      if (policy === 'refuse') throw new DuplicateLoginError(`uid ${uid} is already logged in`);
      this.#entries.set(uid, session);
      return { replaced: holder };
    }
    this.#entries.set(uid, session);
    return { replaced: undefined };
  }

  /** Frees `uid` if `session` still holds it (a late release of a replaced session changes nothing). */
  release(uid: string, session: SessionId): boolean {
    const holder = this.#entries.get(uid);
    if (holder === undefined || !same(holder, session)) return false;
    this.#entries.delete(uid);
    return true;
  }

  /** The session holding `uid`. */
  locate(uid: string): SessionId | undefined {
    return this.#entries.get(uid);
  }

  /** Forgets every session of a gateway that went down; returns how many. */
  dropGateway(gateway: number): number {
    let n = 0;
    for (const [uid, s] of this.#entries)
      if (s.gateway === gateway) {
        this.#entries.delete(uid);
        n++;
      }
    return n;
  }

  /** Forgets entries this gateway no longer owns (ownership moved after a membership change). */
  retain(owns: (uid: string) => boolean): void {
    for (const uid of this.#entries.keys()) if (!owns(uid)) this.#entries.delete(uid);
  }
}
