// The cluster secret: given inline, or read from the environment variable the config names.
import { SecretMissingError } from './errors.js';
import type { ClusterSpec } from './schema.js';

/** The secret a config stands for; throws `SecretMissingError` when its variable is unset. */
export function resolveSecret(secret: ClusterSpec['secret'], env: NodeJS.ProcessEnv = process.env): string {
  if (typeof secret === 'string') return secret;
  const value = env[secret.env];
  if (value === undefined || value === '') throw new SecretMissingError(secret.env);
  return value;
}
