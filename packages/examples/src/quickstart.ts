// The README's example, runnable: two nodes in one process, a typed counter called across a TCP link.
import { defineActor, Node, staticMembership } from '@troupe/runtime';
import { freePort } from '@troupe/runtime/testing';

const Counter = defineActor({
  init: (args: { start: number }) => ({ n: args.start }),
  handlers: {
    add(state, by: number) {
      state.n += by;
      return state.n;
    },
    get(state) {
      return state.n;
    },
  },
});

const portA = await freePort();
const portB = await freePort();
const members = [
  { addr: '1.1.1', host: '127.0.0.1', port: portA },
  { addr: '1.2.1', host: '127.0.0.1', port: portB },
];
const secret = 'change-me';
// Each node gets its own provider over the same member list.
const a = await Node.start({
  addr: '1.1.1',
  listen: { port: portA },
  secret,
  membership: staticMembership(members),
});
const b = await Node.start({
  addr: '1.2.1',
  listen: { port: portB },
  secret,
  membership: staticMembership(members),
});
try {
  b.spawn(Counter, { name: 'counter', args: { start: 0 } });

  const remote = a.ref<typeof Counter>('1.2.1', 'counter');
  const n = await remote.call.add(2, { timeoutMs: 1000 }); // Promise<number>, type-checked
  console.log(`1.1.1 -> 1.2.1 counter.add(2) = ${n}`);
  remote.cast.add(1); // fire and forget
  // Messages from one sender arrive in send order, so the cast is counted before this call.
  console.log(`1.1.1 -> 1.2.1 counter.get() = ${await remote.call.get()}`);
} finally {
  await Promise.all([a.stop(), b.stop()]);
}
console.log('nodes stopped');
