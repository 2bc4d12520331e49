// `pnpm example two-clusters`: clustergo's harbors from examples/two-clusters/cluster.yaml.
import { runCluster } from './run-cluster.js';

await runCluster('two-clusters');
