// Login with tickets: the HTTP endpoint, a ticket accepted by the chosen gateway, and the spread of
// 20,000 logins over 4 gateways from live load reports.
import { type LoginService, loginService } from '@troupe/gateway';
import { waitFor } from '@troupe/runtime/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { RawClient } from './fixtures/gateway-client.js';
import { type GatewayCluster, startGatewayCluster } from './fixtures/gateway-cluster.js';

const ticketSecret = 'login-test-ticket-secret';
const passwords: Record<string, string> = { ada: 'lovelace', bob: 'builder' };

let cluster: GatewayCluster | undefined;
const clients: RawClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await cluster?.close();
  cluster = undefined;
});

function service(http = false): LoginService {
  return loginService({
    ticketSecret,
    http: http ? { port: 0 } : false,
    authenticate: (c) => {
      const { user, password } = (c ?? {}) as { user?: string; password?: string };
      if (user?.startsWith('load-')) return user;
      return user !== undefined && passwords[user] === password ? user : undefined;
    },
  });
}

async function post(url: string, body: string): Promise<{ status: number; json: any }> {
  const res = await fetch(`${url}/login`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json' },
  });
  return { status: res.status, json: await res.json() };
}

describe('login service', () => {
  it('logs in over HTTP and the chosen gateway authenticates the ticket on HELLO', async () => {
    const login = service(true);
    cluster = await startGatewayCluster({
      gateways: 2,
      gateway: { ticketSecret },
      extra: [{ addr: '1.3.1', extensions: [login] }],
    });
    await waitFor(() => Object.keys(login.loads()).length === 2, 5000, 'load reports');
    const ok = await post(login.url!, JSON.stringify({ user: 'ada', password: 'lovelace' }));
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ uid: 'ada', gateway: expect.stringMatching(/^1\.1\.[12]$/) });
    const index = ok.json.gateway === '1.1.1' ? 0 : 1;
    expect(ok.json.tcp).toBe(cluster.tcp(index));
    expect(ok.json.ws).toBe(cluster.ws(index));
    const c = await RawClient.connect(ok.json.tcp);
    clients.push(c);
    c.hello({ ticket: ok.json.ticket });
    expect(await c.welcome()).toMatchObject({ uid: 'ada' });
    expect(await c.call(3, {})).toMatchObject({ body: { uid: 'ada', gateway: ok.json.gateway } });

    expect((await post(login.url!, JSON.stringify({ user: 'ada', password: 'nope' }))).status).toBe(401);
    const bad = await post(login.url!, '{not json');
    expect(bad).toMatchObject({ status: 400, json: { code: 'BAD_REQUEST' } });
  });

  it('spreads 20,000 logins over 4 gateways within 10% of each other, counting live sessions', async () => {
    const login = service();
    cluster = await startGatewayCluster({
      gateways: 4,
      gateway: { ticketSecret },
      extra: [{ addr: '1.3.1', extensions: [login] }],
    });
    // 300 live sessions on the first gateway before the logins start.
    for (let i = 0; i < 300; i++) {
      const c = await RawClient.connect(cluster.tcp(0));
      clients.push(c);
      c.send(8, { a: i, b: 0 });
    }
    await waitFor(() => login.loads()['1.1.1']?.sessions === 300, 5000, 'the report of 300 sessions');
    const caller = cluster.backendNodes[0]!;
    const ref = caller.ref({ node: '1.3.1', name: 'troupe.login' } as never);
    for (let batch = 0; batch < 20; batch++) {
      await Promise.all(
        Array.from({ length: 1000 }, (_, i) => ref.ask('login', { user: `load-${batch}-${i}` })),
      );
    }
    const issued = login.issued();
    const sessions = ['1.1.1', '1.1.2', '1.1.3', '1.1.4'].map(
      (g) => (issued[g] ?? 0) + (g === '1.1.1' ? 300 : 0),
    );
    expect(sessions.reduce((a, b) => a + b, 0)).toBe(20_300);
    const max = Math.max(...sessions);
    const min = Math.min(...sessions);
    expect((max - min) / max).toBeLessThanOrEqual(0.1);
  }, 60_000);
});
