/** The dependencies whose outage a client is told about (503), by the name it sees. */
export type Dependency = 'mongodb' | 'redis';

// What the MongoDB driver and mongoose throw when no server answers (not a query's own error).
const MONGO_DOWN = new Set([
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoServerSelectionError',
  'MongooseServerSelectionError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'MongoPoolClearedError',
]);
// What ioredis throws when Redis is away: the producer connection fails fast (no offline
// queue, a command timeout), so these arrive within milliseconds, not after a hang.
const REDIS_DOWN =
  /enableOfflineQueue options is false|Connection is closed|Command timed out|Reached the max retries per request limit/;

/** The dependency an error says is down, or null when the error is something else. */
export function unavailableDependency(err: unknown): Dependency | null {
  if (!(err instanceof Error)) return null;
  if (MONGO_DOWN.has(err.name) || (err.name === 'MongooseError' && /buffering timed out/.test(err.message)))
    return 'mongodb';
  if (err.name === 'MaxRetriesPerRequestError' || REDIS_DOWN.test(err.message)) return 'redis';
  return null;
}
