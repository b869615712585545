import { Gauge, type Registry } from 'prom-client';
import { pingMongo } from './mongo';
import { pingRedis, type RedisClient } from './redis';

export type DependencyChecks = { mongodb: boolean; redis: boolean };

/** Whether each dependency answers a ping now (within a second each): what /ready reports. */
export async function checkDependencies(redis: RedisClient): Promise<DependencyChecks> {
  const [mongodb, redisUp] = await Promise.all([pingMongo(), pingRedis(redis)]);
  return { mongodb, redis: redisUp };
}

/**
 * `orms_dependency_up{dependency}`: the readiness check as a metric, taken on each scrape,
 * so an alert sees a process that runs (its scrape succeeds) but cannot reach MongoDB or
 * Redis, which `up` alone does not.
 */
export function registerDependencyGauge(registry: Registry, redis: RedisClient): void {
  new Gauge({
    name: 'orms_dependency_up',
    help: 'Whether a dependency answered a ping at the last scrape (1) or not (0), as /ready checks it',
    labelNames: ['dependency'] as const,
    registers: [registry],
    async collect() {
      for (const [dependency, up] of Object.entries(await checkDependencies(redis)))
        this.set({ dependency }, up ? 1 : 0);
    },
  });
}
