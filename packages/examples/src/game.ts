// `pnpm example game`: cellmesh's demo from examples/game/cluster.yaml.
import { runCluster } from './run-cluster.js';

await runCluster('game');
