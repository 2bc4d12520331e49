// The game example's protocol (cellmesh's demo): enter, read the player, work for gold, level up, online counts.
import { defineProtocol, type } from '@troupe/client';

/** A player as the game service keeps it. */
export interface Player {
  uid: string;
  level: number;
  gold: number;
  /** The game node that holds this player (the session is bound to it). */
  node: string;
}

/** What the hub answers: sessions in the game, in total and per game node. */
export interface Online {
  online: number;
  byNode: Record<string, number>;
}

export const GameProtocol = defineProtocol({
  /** Binds the session to the game node that holds the player (hashed by uid), and answers the player. */
  enter: { msgId: 1, request: type<{}>(), reply: type<Player>() },
  player: { msgId: 2, request: type<{}>(), reply: type<Player>() },
  /** Earns `GOLD_PER_WORK` gold. */
  work: { msgId: 3, request: type<{}>(), reply: type<Player>() },
  /** Spends `level * LEVEL_COST` gold for one level; refused with NOT_ENOUGH_GOLD. */
  levelUp: { msgId: 4, request: type<{}>(), reply: type<Player>() },
  online: { msgId: 5, request: type<{}>(), reply: type<Online>() },
});

export const GOLD_PER_WORK = 50;
export const LEVEL_COST = 100;
export const START_GOLD = 100;
