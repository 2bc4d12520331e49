// Moleculer 0.15 over its TCP transporter: the framework Troupe's remote ask is held against.
import { meteredSide, type Side, type SideContext } from '../sides.js';
import type { MoleculerOptions } from './moleculer.worker.js';

const WORKER = new URL('./moleculer.worker.ts', import.meta.url);

/**
 * Two brokers in two processes on static loopback ports (no UDP discovery, JSON serializer, logger off); the
 * caller keeps `inFlight` `broker.call('echo.echo', body)` outstanding.
 */
export async function moleculerEcho(ctx: SideContext, params: { inFlight: number }): Promise<Side> {
  const echoPort = await ctx.freePort();
  const callerPort = await ctx.freePort();
  const base = { echoPort, callerPort };
  const echo = await ctx.spawn(WORKER, { options: { role: 'echo', ...base } satisfies MoleculerOptions });
  const caller = await ctx.spawn(WORKER, {
    options: { role: 'caller', inFlight: params.inFlight, ...base } satisfies MoleculerOptions,
  });
  return meteredSide(caller, caller, [caller, echo]);
}
