// Pub/sub options: defaults, checks that name the property, resolved once and frozen.
import { OptionError } from '@troupe/transport';

export interface PubSubOptions {
  /** Handler a subscriber receives publications on, unless `subscribe` names another. Default `publication`. */
  handler?: string;
  /** Publications this node keeps per topic for `history()`; 0 keeps none. Default 0. */
  historyCount?: number;
  /** Oldest publication kept in history (ms). Default 60,000. */
  historyAgeMs?: number;
  /** Deadline of the control asks between nodes (subscribe, interest, history). Default 5000 ms. */
  controlTimeoutMs?: number;
  /** Longest topic name (UTF-16 units). Default 256. */
  maxTopicLength?: number;
}

export const DEFAULT_PUBSUB_HANDLER = 'publication';
export const DEFAULT_HISTORY_COUNT = 0;
export const DEFAULT_HISTORY_AGE_MS = 60_000;
export const DEFAULT_CONTROL_TIMEOUT_MS = 5000;
export const DEFAULT_MAX_TOPIC_LENGTH = 256;

export type ResolvedPubSubOptions = Readonly<Required<PubSubOptions>>;

const DEFAULTS: ResolvedPubSubOptions = {
  handler: DEFAULT_PUBSUB_HANDLER,
  historyCount: DEFAULT_HISTORY_COUNT,
  historyAgeMs: DEFAULT_HISTORY_AGE_MS,
  controlTimeoutMs: DEFAULT_CONTROL_TIMEOUT_MS,
  maxTopicLength: DEFAULT_MAX_TOPIC_LENGTH,
};

function count(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) throw new OptionError(name, `must be an integer >= ${min}`);
}

/** Applies defaults and checks every field. */
export function resolvePubSubOptions(input: PubSubOptions = {}): ResolvedPubSubOptions {
  const o = { ...DEFAULTS, ...input };
  if (typeof o.handler !== 'string' || o.handler === '')
    throw new OptionError('handler', 'must be a non-empty string');
  count('historyCount', o.historyCount, 0);
  count('historyAgeMs', o.historyAgeMs, 1);
  count('controlTimeoutMs', o.controlTimeoutMs, 1);
  count('maxTopicLength', o.maxTopicLength, 1);
  return Object.freeze(o);
}
