import mongoose from 'mongoose';
import { config } from '../config';
import { logger } from '../logger';
import { allModels } from '../models';

mongoose.set('strictQuery', true);
// Indexes are created explicitly at start (ensureIndexes), not lazily per model.
mongoose.set('autoIndex', false);
// Mongoose otherwise captures a stack trace on every query (new Error().stack), only to
// decorate a "Query was already executed" error we never make: 1.2% of the API's CPU on get-order.
mongoose.set('skipOriginalStackTraces', true);

/**
 * The driver's options for `uri`. Retryable writes are off unless the URI asks for them:
 * FerretDB v1 does not support them (and every write here is idempotent or CAS-guarded);
 * MongoDB as a replica set does, and docker-compose.yml asks with `retryWrites=true`. An
 * option given here would win over the URI's, so it is only given when the URI is silent.
 */
export function mongoOptions(uri: string): mongoose.ConnectOptions {
  const uriChooses = /[?&]retryWrites=/i.test(uri);
  return {
    serverSelectionTimeoutMS: config.MONGODB_SERVER_SELECTION_TIMEOUT_MS,
    connectTimeoutMS: 5000,
    socketTimeoutMS: 30_000,
    maxPoolSize: 20,
    ...(uriChooses ? {} : { retryWrites: false }),
  };
}

/** Connects the shared mongoose connection; safe to call twice. */
export async function connectMongo(uri: string = config.MONGODB_URI): Promise<typeof mongoose> {
  if (mongoose.connection.readyState === 1) return mongoose;
  mongoose.connection.on('error', (err: Error) => logger.error({ err }, 'mongodb connection error'));
  await mongoose.connect(uri, mongoOptions(uri));
  return mongoose;
}

export async function ensureIndexes(): Promise<void> {
  for (const model of allModels) await model.createIndexes();
}

export async function disconnectMongo(): Promise<void> {
  if (mongoose.connection.readyState !== 0) await mongoose.disconnect();
}

export async function pingMongo(timeoutMs = 1000): Promise<boolean> {
  const db = mongoose.connection.db;
  if (mongoose.connection.readyState !== 1 || !db) return false;
  return withTimeout(
    db
      .admin()
      .ping()
      .then(() => true),
    timeoutMs,
  ).catch(() => false);
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

/** Whether the driver currently has a server to talk to (it notices a lost one at once). */
export const mongoConnected = (): boolean => mongoose.connection.readyState === 1;
