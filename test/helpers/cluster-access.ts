import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Imported first by a test file whose Redis Cluster wants a password and TLS: makes a
 * private CA and a certificate for 127.0.0.1 with openssl, and sets REDIS_USERNAME,
 * REDIS_PASSWORD, REDIS_TLS and REDIS_TLS_CA_FILE before the config reads them, so every
 * connection of this process and of the processes it starts goes in that way.
 */
export interface ClusterAccess {
  username: string;
  password: string;
  /** PEM files: the CA that signed the servers' certificate, and the certificate and its key. */
  ca: string;
  cert: string;
  key: string;
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'orms-redis-tls-'));
const file = (name: string) => path.join(dir, name);
const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'ignore', timeout: 30_000 });
openssl(
  'req',
  '-x509',
  '-newkey',
  'rsa:2048',
  '-nodes',
  '-keyout',
  file('ca.key'),
  '-out',
  file('ca.crt'),
  '-days',
  '2',
  '-subj',
  '/CN=orms-test-ca',
);
openssl(
  'req',
  '-newkey',
  'rsa:2048',
  '-nodes',
  '-keyout',
  file('redis.key'),
  '-out',
  file('redis.csr'),
  '-subj',
  '/CN=127.0.0.1',
);
writeFileSync(file('san.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
openssl(
  'x509',
  '-req',
  '-in',
  file('redis.csr'),
  '-CA',
  file('ca.crt'),
  '-CAkey',
  file('ca.key'),
  '-CAcreateserial',
  '-out',
  file('redis.crt'),
  '-days',
  '2',
  '-extfile',
  file('san.cnf'),
);

export const clusterAccess: ClusterAccess = {
  username: 'orms',
  password: 'cluster-password-for-tests',
  ca: file('ca.crt'),
  cert: file('redis.crt'),
  key: file('redis.key'),
};

Object.assign(process.env, {
  REDIS_USERNAME: clusterAccess.username,
  REDIS_PASSWORD: clusterAccess.password,
  REDIS_TLS: 'true',
  REDIS_TLS_CA_FILE: clusterAccess.ca,
});
