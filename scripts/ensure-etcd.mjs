// Makes sure the `etcd` binary the etcd membership tests start is installed: on Debian as root, from the
// `etcd-server` package. Elsewhere it says what to install; the etcd tests then fail in CI and are
// skipped, loudly, outside it.
import { execFileSync, spawnSync } from 'node:child_process';

const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

if (!has('etcd')) {
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (root && has('apt-get')) {
    console.log('installing etcd-server (Debian) for the etcd membership tests ...');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    execFileSync('apt-get', ['install', '-y', '-qq', 'etcd-server'], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env,
    });
    // The package may start a system etcd on the default ports; the tests run their own.
    spawnSync(
      'sh',
      ['-c', 'systemctl stop etcd 2>/dev/null || service etcd stop 2>/dev/null || pkill -x etcd'],
      {
        stdio: 'ignore',
      },
    );
  } else {
    console.warn(
      'etcd is not installed: install etcd (Debian: apt-get install etcd-server) to run the etcd membership tests.',
    );
  }
}
