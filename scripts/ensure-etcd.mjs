// Says whether the `etcd` binary the etcd membership tests start is installed, and how to install it.
// It installs nothing and stops nothing: installing belongs to `.ci/run` (or to you, see the README).
// Without etcd the etcd tests fail under CI=true and are skipped, loudly, elsewhere.
import { spawnSync } from 'node:child_process';

const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

if (!has('etcd') && process.env.TROUPE_ETCD_BIN === undefined) {
  console.warn(
    'etcd is not installed: the etcd membership tests will be skipped (and fail under CI=true).\n' +
      'Install it first: Debian/Ubuntu `sudo apt-get install etcd-server`, macOS `brew install etcd`,\n' +
      'or set TROUPE_ETCD_BIN to an etcd binary. `.ci/run` installs it on a clean Debian machine.',
  );
}
