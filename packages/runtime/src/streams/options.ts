// Stream options: defaults, checks that name the property, resolved once and frozen.
import { OptionError } from '@troupe/transport';
import { INITIAL_WINDOW } from './window.js';

export interface StreamsOptions {
  /** Receive window per stream (bytes a peer may send ahead of the reader); at least 256 KiB. Default 256 KiB. */
  window?: number;
  /** The window grows up to this while the reader keeps up and the window limits the stream. Default 4 MiB. */
  maxWindow?: number;
  /** Bytes in flight over one link, all its streams together. Default 32 MiB. */
  linkWindow?: number;
  /** Largest data frame body (bytes). Default 64 KiB. */
  maxChunk?: number;
  /** Streams one link carries at once (both directions). Default 1024. */
  maxStreamsPerLink?: number;
  /** Handler an accepting actor receives a new stream on, unless `open` names another. Default `stream`. */
  handler?: string;
}

export const DEFAULT_STREAM_WINDOW = INITIAL_WINDOW;
export const DEFAULT_MAX_WINDOW = 4 * 1024 * 1024;
export const DEFAULT_LINK_WINDOW = 32 * 1024 * 1024;
export const DEFAULT_MAX_CHUNK = 64 * 1024;
export const DEFAULT_MAX_STREAMS_PER_LINK = 1024;
export const DEFAULT_STREAM_HANDLER = 'stream';

export type ResolvedStreamsOptions = Readonly<Required<StreamsOptions>>;

const DEFAULTS: ResolvedStreamsOptions = {
  window: DEFAULT_STREAM_WINDOW,
  maxWindow: DEFAULT_MAX_WINDOW,
  linkWindow: DEFAULT_LINK_WINDOW,
  maxChunk: DEFAULT_MAX_CHUNK,
  maxStreamsPerLink: DEFAULT_MAX_STREAMS_PER_LINK,
  handler: DEFAULT_STREAM_HANDLER,
};

function integer(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) throw new OptionError(name, `must be an integer >= ${min}`);
}

/** Applies defaults and checks every field. */
export function resolveStreamsOptions(input: StreamsOptions = {}): ResolvedStreamsOptions {
  const o = { ...DEFAULTS, ...input };
  integer('window', o.window, INITIAL_WINDOW);
  if (input.maxWindow === undefined && o.maxWindow < o.window) o.maxWindow = o.window;
  integer('maxWindow', o.maxWindow, o.window);
  integer('maxChunk', o.maxChunk, 1);
  integer('linkWindow', o.linkWindow, o.maxChunk);
  integer('maxStreamsPerLink', o.maxStreamsPerLink, 1);
  if (typeof o.handler !== 'string' || o.handler === '')
    throw new OptionError('handler', 'must be a non-empty string');
  return Object.freeze(o);
}
