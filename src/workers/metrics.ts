import { Registry, collectDefaultMetrics } from 'prom-client';
import { startMetricsServer } from '../infra/metrics-server';
import { registerDependencyGauge } from '../infra/readiness';
import type { RedisClient } from '../infra/redis';
import type { Queues } from '../queues/queues';
import { registerBacklogGauge } from './backlog-gauge';
import { registerJobMetrics, type JobMetrics } from './job-metrics';
import { WORK_QUEUE_NAMES, type WorkQueueName } from '../shared/names';

export interface WorkerMetrics {
  /** What the queue workers report to. */
  readonly jobs: JobMetrics;
  readonly port: number;
  close(): Promise<void>;
}

export interface WorkerMetricsOptions {
  port: number;
  /** METRICS_TOKEN: the bearer token a scrape must carry (empty: none). */
  token: string;
  /** The queues this process works (their job series start at zero). */
  worked: readonly WorkQueueName[];
  queues: Queues;
  redis: RedisClient;
}

/**
 * Prometheus metrics of a worker process at `GET :<port>/metrics`: job durations and
 * outcomes of the queues it works, dead letters it made, the backlog age of every work
 * queue, whether MongoDB and Redis answer, and Node's process metrics.
 */
export async function serveWorkerMetrics(opts: WorkerMetricsOptions): Promise<WorkerMetrics> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  registerDependencyGauge(registry, opts.redis);
  registerBacklogGauge(
    registry,
    WORK_QUEUE_NAMES.map((name) => opts.queues[name]),
  );
  const jobs = registerJobMetrics(registry, opts.worked);
  const server = await startMetricsServer(registry, opts.port, opts.token);
  return { jobs, port: server.port, close: server.close };
}

/**
 * The port of this process: WORKER_METRICS_PORT plus pm2's number of the process within
 * its app (NODE_APP_INSTANCE: 0, 1, …), so several worker processes on one host each get
 * their own; without pm2 it is the configured port itself.
 */
export function metricsPortOf(base: number, instance = process.env.NODE_APP_INSTANCE): number {
  const n = Number(instance);
  return Number.isInteger(n) && n > 0 ? base + n : base;
}
