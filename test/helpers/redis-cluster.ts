import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import type { ClusterAccess } from './cluster-access';
import { freePort, startOwnRedis, type OwnRedis } from './redis-server';
import { eventually } from './test-app';

export interface OwnRedisCluster {
  /** `127.0.0.1:<port>` of every master, as REDIS_CLUSTER_NODES takes them. */
  nodes: string[];
  /** Stops every node and removes their files. */
  stop(): Promise<void>;
}

/**
 * A real Redis Cluster of `masters` masters and no replicas from the machine's own
 * redis-server, on free loopback ports, each node in a directory of its own; resolves once
 * every node reports the cluster ok (all 16384 slots served).
 */
export async function startRedisCluster(masters = 3, access?: ClusterAccess): Promise<OwnRedisCluster> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'orms-cluster-'));
  // With access: an ACL user and no way in without it (the default user is off), and TLS
  // only, the cluster bus included.
  const secured = access
    ? [
        ...[
          '--tls-cluster',
          'yes',
          '--tls-cert-file',
          access.cert,
          '--tls-key-file',
          access.key,
          '--tls-ca-cert-file',
          access.ca,
          '--tls-auth-clients',
          'no',
        ],
        ...['--user', 'default', 'off', '--user', access.username, 'on', `>${access.password}`, '~*', '&*', '+@all'],
      ]
    : [];
  const cli = access
    ? ['--tls', '--cacert', access.ca, '--user', access.username, '--pass', access.password, '--no-auth-warning']
    : [];
  const clientOptions = access
    ? { username: access.username, password: access.password, tls: { ca: readFileSync(access.ca) } }
    : {};
  const servers: OwnRedis[] = [];
  const stop = async () => {
    await Promise.all(servers.map((s) => s.stop()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < masters; i++) {
      const port = await freePort();
      // TLS on the port clients use, plain TCP on none.
      const ports = access ? ['--port', '0', '--tls-port', String(port)] : [];
      servers.push(
        await startOwnRedis(
          [
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            path.join(dir, `nodes-${i}.conf`),
            '--dir',
            dir,
            '--dbfilename',
            `dump-${i}.rdb`,
            ...ports,
            ...secured,
          ],
          port,
        ),
      );
    }
    const nodes = servers.map((s) => `127.0.0.1:${s.port}`);
    await promisify(execFile)(
      'redis-cli',
      [...cli, '--cluster', 'create', ...nodes, '--cluster-replicas', '0', '--cluster-yes'],
      { timeout: 30_000 },
    );
    for (const s of servers) {
      const client = new Redis(s.url, { lazyConnect: true, maxRetriesPerRequest: 1, ...clientOptions });
      try {
        await eventually(
          async () => String(await client.cluster('INFO')).includes('cluster_state:ok'),
          20_000,
          `node ${s.port} to see the cluster ok`,
        );
      } finally {
        client.disconnect();
      }
    }
    return { nodes, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
