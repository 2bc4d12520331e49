// `pnpm example echo`: clustergo's echo from examples/echo/cluster.yaml (two echo nodes, a caller, a gateway).
import { runCluster } from './run-cluster.js';

await runCluster('echo');
