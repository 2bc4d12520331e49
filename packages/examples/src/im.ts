// `pnpm example im`: the IM cluster from examples/im/cluster.yaml and its web chat page.
import { startWeb, type WebServer } from './im/web.js';
import { runCluster } from './run-cluster.js';

let web: WebServer | undefined;
await runCluster('im', {
  started: async (cluster) => {
    const login = cluster.context('1.3.1').login;
    if (login === undefined) throw new Error('node 1.3.1 runs no login service');
    web = await startWeb(login);
    return { web: web.url };
  },
  stopping: async () => {
    await web?.close();
  },
});
