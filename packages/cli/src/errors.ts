// The CLI's errors: a config that does not validate, a service that cannot be loaded, bad usage.
import { TroupeError } from '@troupe/transport';

/** One problem in a cluster config, at a path such as `nodes[2].port`. */
export interface ConfigIssue {
  path: string;
  message: string;
}

/** A cluster config failed validation; `issues` lists every problem with its path. */
export class ConfigError extends TroupeError {
  readonly issues: readonly ConfigIssue[];
  constructor(source: string, issues: readonly ConfigIssue[]) {
    super(
      'INVALID_CONFIG',
      `${source}: ${issues.length} problem${issues.length === 1 ? '' : 's'}\n${issues
        .map((i) => `  ${i.path === '' ? '(root)' : i.path}: ${i.message}`)
        .join('\n')}`,
    );
    this.name = 'ConfigError';
    this.issues = Object.freeze([...issues]);
  }
}

/** A config file could not be read or parsed (missing, not JSON/YAML). */
export class ConfigReadError extends TroupeError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CONFIG_UNREADABLE', message, options);
    this.name = 'ConfigReadError';
  }
}

/** A service or extension module named by the config cannot be imported or lacks the export. */
export class ModuleLoadError extends TroupeError {
  readonly path: string;
  constructor(path: string, message: string, options?: { cause?: unknown }) {
    super('MODULE_LOAD_FAILED', `${path}: ${message}`, options);
    this.name = 'ModuleLoadError';
    this.path = path;
  }
}

/** The secret names an environment variable that is not set. */
export class SecretMissingError extends TroupeError {
  constructor(variable: string) {
    super('SECRET_MISSING', `secret.env: environment variable ${variable} is not set or empty`);
    this.name = 'SecretMissingError';
  }
}

/** The command line is wrong: unknown command, missing argument, a node the config does not have. */
export class UsageError extends TroupeError {
  constructor(message: string) {
    super('USAGE', message);
    this.name = 'UsageError';
  }
}
