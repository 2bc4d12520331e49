// The command dispatcher in-process: usage, check's output, and troupe ticket against the gateway's verifier.
import { fileURLToPath } from 'node:url';
import { TicketVerifier } from '@troupe/gateway';
import { describe, expect, it } from 'vitest';
import type { Io } from './commands/io.js';
import { main, USAGE } from './main.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const SECRET = 'a-ticket-secret-of-32-characters';

function io(env: NodeJS.ProcessEnv = {}): Io & { out: string; err: string } {
  const o = {
    out: '',
    err: '',
    env,
    stdout: (t: string) => {
      o.out += t;
    },
    stderr: (t: string) => {
      o.err += t;
    },
  };
  return o;
}

describe('troupe', () => {
  it('prints the usage for --help and for no command, exit 0; 2 for an unknown option', async () => {
    const a = io();
    expect(await main(['--help'], a)).toBe(0);
    expect(a.out).toBe(`${USAGE}\n`);
    const b = io();
    expect(await main(['check', 'x.yaml', '--colour'], b)).toBe(2);
    expect(b.err).toMatch(/^troupe: Unknown option '--colour'/);
  });

  it('check prints one summary line for a good config', async () => {
    const a = io();
    expect(await main(['check', fixture('three.yaml')], a)).toBe(0);
    expect(a.out).toMatch(
      /three\.yaml: ok, cluster demo, 3 nodes \(1\.1\.1, 1\.2\.1, 1\.2\.2\), static membership, 1 service\n$/,
    );
  });

  it('ticket signs a ticket the gateway accepts, for the first gateway or the one named', async () => {
    const a = io({ CLI_TEST_TICKET_SECRET: SECRET });
    expect(await main(['ticket', fixture('gateway.yaml'), '--uid', 'ada'], a)).toBe(0);
    const claims = new TicketVerifier(SECRET, '1.1.1').verify(a.out.trim());
    expect(claims).toMatchObject({ uid: 'ada', gateway: '1.1.1' });
    expect(claims.exp - Date.now()).toBeGreaterThan(50_000); // tickets.ttlMs: 60 s
    const b = io({ CLI_TEST_TICKET_SECRET: SECRET });
    expect(await main(['ticket', fixture('gateway.yaml'), '--uid', 'bob', '--ttl', '5s', '--json'], b)).toBe(
      0,
    );
    const json = JSON.parse(b.out) as { ticket: string; ws: string; gateway: string };
    expect(json).toMatchObject({ uid: 'bob', gateway: '1.1.1', ws: 'ws://127.0.0.1:17402' });
    expect(new TicketVerifier(SECRET, '1.1.1').verify(json.ticket).exp - Date.now()).toBeLessThanOrEqual(
      5000,
    );
  });

  it('ticket refuses without --uid, for a node that is no gateway, and without the secret', async () => {
    const env = { CLI_TEST_TICKET_SECRET: SECRET };
    const a = io(env);
    expect(await main(['ticket', fixture('gateway.yaml')], a)).toBe(2);
    expect(a.err).toMatch(/--uid U is required/);
    const b = io(env);
    expect(await main(['ticket', fixture('gateway.yaml'), '--uid', 'x', '--gateway', '1.2.1'], b)).toBe(2);
    expect(b.err).toMatch(/1\.2\.1 is not a gateway of .*gateway\.yaml \(1\.1\.1\)/);
    const c = io({});
    expect(await main(['ticket', fixture('gateway.yaml'), '--uid', 'x'], c)).toBe(1);
    expect(c.err).toMatch(/CLI_TEST_TICKET_SECRET is not set/);
    const d = io(env);
    expect(await main(['ticket', fixture('three.yaml'), '--uid', 'x'], d)).toBe(2);
    expect(d.err).toMatch(/has no tickets\.secret/);
  });
});
