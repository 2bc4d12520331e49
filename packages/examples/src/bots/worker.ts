// A bot worker process: runs the slice its parent sends and reports count deltas over IPC.
import { drain, runSlice } from './run-bots.js';
import { emptyCounts } from './stats.js';

const controller = new AbortController();
const counts = emptyCounts();
process.on('message', (m: { type: string; slice?: Parameters<typeof runSlice>[0] }) => {
  if (m.type === 'stop') controller.abort();
  if (m.type !== 'run' || m.slice === undefined) return;
  const timer = setInterval(() => process.send?.({ type: 'progress', counts: drain(counts) }), 200);
  runSlice(m.slice, controller.signal, counts).finally(() => {
    clearInterval(timer);
    process.send?.({ type: 'done', counts: drain(counts) }, () => process.disconnect());
  });
});
// The parent going away ends the run too.
process.on('disconnect', () => controller.abort());
