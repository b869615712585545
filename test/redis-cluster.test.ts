import './helpers/cluster-stem'; // first: the queue stem is chosen before the config reads it
import { clusterAccess } from './helpers/cluster-access'; // …and the cluster's user, password and TLS
import { readFileSync } from 'node:fs';
import { Redis, type RedisOptions } from 'ioredis';
import request from 'supertest';
import { config } from '../src/config';
import { closeRedis, createRedis, scanKeys } from '../src/infra/redis';
import { Order } from '../src/models';
import { startApiProcess, type ApiProcess } from './helpers/api-process';
import { auditEffects } from './helpers/effects-audit';
import { startRedisCluster, type OwnRedisCluster } from './helpers/redis-cluster';
import { freePort, startOwnRedis } from './helpers/redis-server';
import { eventually, useTestApp } from './helpers/test-app';
import { as } from './helpers/tokens';
import { startWebhookReceiver } from './helpers/webhook-receiver';
import { peersEnv, startWorkerProcess, type WorkerProcess } from './helpers/worker-process';
import { QUEUE_NAMES, EFFECTS } from '../src/shared/names';

/**
 * The whole service on a real three-master Redis Cluster that takes only TLS connections of
 * one ACL user (its default user off): the API (in this process and as its entry point) and
 * two worker processes reach it through REDIS_CLUSTER_NODES with REDIS_USERNAME,
 * REDIS_PASSWORD, REDIS_TLS and REDIS_TLS_CA_FILE, and each queue, under a hash tag of its
 * own, lives on the master that serves its slot.
 */
jest.setTimeout(90_000);

let cluster: OwnRedisCluster;
beforeAll(async () => {
  cluster = await startRedisCluster(3, clusterAccess);
}, 60_000);
const t = useTestApp({ redis: () => createRedis('producer', { cluster: cluster.nodes }), smtp: true, customers: true });
afterAll(() => cluster?.stop());

const OPERATOR = { BOARD_USER: 'operator', BOARD_PASSWORD: 'board-password-for-tests' };
const RATE_LIMIT_MAX = 500;
let api: ApiProcess;
const fleet: WorkerProcess[] = [];
beforeAll(async () => {
  const onCluster = { ...peersEnv(t), REDIS_CLUSTER_NODES: cluster.nodes.join(',') };
  api = await startApiProcess({
    ...onCluster,
    ...OPERATOR,
    RATE_LIMIT_MAX: String(RATE_LIMIT_MAX),
    METRICS_ENABLED: 'true',
  });
  fleet.push(...(await Promise.all([startWorkerProcess(onCluster), startWorkerProcess(onCluster)])));
  t.onClose(() => Promise.all([api.kill(), ...fleet.map((p) => p.kill())]));
}, 60_000);

const operator = `Basic ${Buffer.from(`${OPERATOR.BOARD_USER}:${OPERATOR.BOARD_PASSWORD}`).toString('base64')}`;
/** No effect job waiting, running or delayed (upkeep always has its next tick delayed). */
const pipelineIdle = async () =>
  (await Promise.all(EFFECTS.map((q) => t.queues[q].getJobCounts('waiting', 'active', 'delayed')))).every(
    (c) => !c.waiting && !c.active && !c.delayed,
  );

/** A bulk change or an export once its job has finished, completed or not. */
const finishedAt = (path: string) =>
  eventually(
    async () => {
      const res = await request(t.app).get(path).set(as('admin'));
      return ['completed', 'failed'].includes(res.body.data?.state) ? res.body.data : null;
    },
    30_000,
    `${path} to finish`,
  );

describe('ORMS on a three-master Redis Cluster', () => {
  it('is on a cluster that refuses a connection without the password, and one without TLS', async () => {
    const [host, port] = cluster.nodes[0].split(':');
    const tls = { ca: readFileSync(clusterAccess.ca) };
    const attempt = async (opts: RedisOptions) => {
      const client = new Redis({
        host,
        port: Number(port),
        lazyConnect: true,
        enableReadyCheck: false,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
        connectTimeout: 2000,
        ...opts,
      });
      client.on('error', () => undefined);
      try {
        await client.connect();
        return await client.ping();
      } catch (err) {
        return err instanceof Error ? err.message : String(err);
      } finally {
        client.disconnect();
      }
    };

    const withAccess = await attempt({ username: clusterAccess.username, password: clusterAccess.password, tls });
    const noPassword = await attempt({ tls });
    const plainTcp = await attempt({ username: clusterAccess.username, password: clusterAccess.password });

    expect(withAccess).toBe('PONG');
    expect(noPassword).toMatch(/NOAUTH|NOPERM|WRONGPASS/);
    expect(plainTcp).not.toBe('PONG');
  });

  it('reaches a single Redis server the same way, at a rediss:// REDIS_URL', async () => {
    const port = await freePort();
    const own = await startOwnRedis(
      [
        '--port',
        '0',
        '--tls-port',
        String(port),
        '--tls-cert-file',
        clusterAccess.cert,
        '--tls-key-file',
        clusterAccess.key,
        '--tls-ca-cert-file',
        clusterAccess.ca,
        '--tls-auth-clients',
        'no',
        '--user',
        'default',
        'off',
        '--user',
        clusterAccess.username,
        'on',
        `>${clusterAccess.password}`,
        '~*',
        '&*',
        '+@all',
      ],
      port,
    );
    const client = createRedis('producer', `rediss://127.0.0.1:${port}`);
    try {
      await eventually(async () => client.status === 'ready', 10_000, 'the TLS connection to be ready');
      expect(await client.ping()).toBe('PONG');
    } finally {
      await closeRedis(client);
      await own.stop();
    }
  });

  it('does every effect of placed, moved, cancelled and returned orders exactly once', async () => {
    const placed = await t.as('alice').placeOrder();
    await t.as('alice').move(placed, 'Processing');
    await t.as('bob').cancel(await t.as('bob').placeOrder());
    const { returnId } = await t.as('alice').openReturn();
    await t.as('alice').review(returnId, 4975);

    await eventually(pipelineIdle, 30_000, 'the pipeline to go idle');
    const audit = await eventually(
      async () => {
        const a = await auditEffects(t);
        return a.problems.length === 0 ? a : null;
      },
      20_000,
      'every effect done once',
    ).catch(async () => auditEffects(t));

    expect(audit.problems).toEqual([]);
    expect(audit.events).toBe(10);
    expect(Object.keys(audit.statisticsCalls).sort()).toEqual(['c-alice', 'c-bob']);
  });

  it('delivers webhooks, runs a bulk status change and writes an export, each through its own queue of the cluster', async () => {
    const receiver = await startWebhookReceiver();
    t.onClose(() => receiver.close());
    const hook = await request(t.app)
      .post('/api/orders/webhooks')
      .set(as('admin'))
      .send({ url: receiver.url, events: ['order.status_changed'] });
    const orderIds = [await t.as('alice').placeOrder(), await t.as('bob').placeOrder()];

    const bulk = await request(t.app)
      .post('/api/orders/bulk/status')
      .set(as('admin'))
      .send({ orderIds, status: 'Processing', notes: 'Picked on the cluster' });
    const exported = await request(t.app).post('/api/orders/exports').set(as('admin')).send({ format: 'csv' });

    expect([hook.status, bulk.status, exported.status]).toEqual([201, 202, 202]);
    const op = await finishedAt(`/api/orders/bulk/${bulk.body.data.bulkId}`);
    expect(op).toMatchObject({ state: 'completed', status: 'Processing', progress: { done: 2, total: 2 } });
    await eventually(
      async () => orderIds.every((id) => receiver.accepted().some((r) => r.body.data.orderId === id)),
      30_000,
      'a webhook delivery of the change of each order',
    );
    const file = await finishedAt(`/api/orders/exports/${exported.body.data.exportId}`);
    expect(file).toMatchObject({ state: 'completed' });
    const csv = await request(t.app).get(`/api/orders/exports/${file.exportId}/download`).set(as('admin')).buffer(true);
    for (const id of orderIds) expect(csv.text).toContain(id);
  });

  it('keeps each queue on the master of its own slot, the queues spread over every master', async () => {
    const found = await scanKeys(t.redis, `{${config.QUEUE_PREFIX}:*`);

    const mastersOf = new Map<string, Set<string>>();
    for (const { node, keys } of found) {
      for (const key of keys) {
        const queue = /^\{[^:]+:([^}]+)\}/.exec(key)![1];
        mastersOf.set(queue, (mastersOf.get(queue) ?? new Set()).add(`${node.options.port}`));
      }
    }
    expect([...mastersOf.keys()].sort()).toEqual(
      expect.arrayContaining([
        'analytics',
        'bulk',
        'customer-stats',
        'emails',
        'exports',
        'refunds',
        'upkeep',
        'webhooks',
      ]),
    );
    for (const masters of mastersOf.values()) expect(masters.size).toBe(1);
    expect(new Set([...mastersOf.values()].flatMap((m) => [...m])).size).toBe(3);
  });

  it('dead-letters a statistics sync the Customer Service refuses, and replays it from the API', async () => {
    // Syncs of earlier tests' orders still on their way would take the refusal meant for this one.
    await eventually(pipelineIdle, 30_000, 'the pipeline to go idle');
    t.customers.answerNext(404);
    await t.as('bob').placeOrder();
    const letters = await eventually(
      async () => {
        const res = await request(api.url).get('/api/orders/dead-letters').set(as('admin'));
        return res.body.data?.deadLetters?.length ? res.body.data.deadLetters : null;
      },
      20_000,
      'the dead letter',
    );
    expect(letters[0]).toMatchObject({ queue: 'customer-stats', name: 'customer.sync', data: { customerId: 'c-bob' } });
    const accepted = t.customers.successes('c-bob').length;

    const replay = await request(api.url).post(`/api/orders/dead-letters/${letters[0].id}/replay`).set(as('admin'));

    expect(replay.status).toBe(200);
    await eventually(async () => t.customers.successes('c-bob').length > accepted, 20_000, 'the replayed sync');
    // Every order of bob's so far, whichever tests placed them.
    const bobs = await Order.countDocuments({ customerId: 'c-bob' });
    expect(t.customers.successes('c-bob').at(-1)?.body).toMatchObject({ totalOrders: bobs });
    expect((await request(api.url).get('/api/orders/dead-letters').set(as('admin'))).body.data.deadLetters).toEqual([]);
  });

  it('lists every queue on the operator board, with the jobs it holds', async () => {
    const res = await request(api.url).get('/admin/queues/api/queues').set('authorization', operator);

    expect(res.status).toBe(200);
    const queues = res.body.queues as { name: string; counts: Record<string, number> }[];
    expect(queues.map((q) => q.name).sort()).toEqual([...QUEUE_NAMES].sort());
    expect(queues.find((q) => q.name === 'emails')?.counts.completed).toBeGreaterThan(0);
  });

  it('counts each request of a client against its limit in the cluster', async () => {
    const remaining = async () =>
      Number(
        /r=(\d+)/.exec((await request(api.url).get('/api/orders/me').set(as('alice'))).headers.ratelimit ?? '')?.[1],
      );

    const first = await remaining();
    const second = await remaining();

    expect(first).toBeLessThan(RATE_LIMIT_MAX);
    expect(second).toBe(first - 1);
    const keys = (await scanKeys(t.redis, `${config.QUEUE_PREFIX}:ratelimit:*`)).flatMap((n) => n.keys);
    expect(keys.length).toBeGreaterThan(0);
  });

  it('reports the depth of every queue from the cluster in /metrics', async () => {
    const res = await request(api.url).get('/metrics');

    expect(res.status).toBe(200);
    const completed = Number(/orms_queue_jobs\{queue="emails",state="completed"\} (\d+)/.exec(res.text)?.[1]);
    expect(completed).toBeGreaterThan(0);
  });
});
