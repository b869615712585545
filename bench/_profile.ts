import { MongoClient } from 'mongodb';
import { Redis } from 'ioredis';
import { benchSettings } from './config';
import { Floors } from './floors';
import { Seeder } from './seed';
import { measure, scenarios } from './scenarios';
import { serviceEnv, startApi, startFakeAuth, startSmtpSink } from './stack';
import { freePort } from './util';
async function main() {
  const which = process.argv[2] ?? 'get-order';
  const client = await MongoClient.connect('mongodb://127.0.0.1:27017', { maxPoolSize: 20, retryWrites: false });
  const db = client.db('orms_bench_prof');
  await db.dropDatabase();
  const s = new Seeder(db, 10);
  await s.topUpTo(1000);
  const redis = new Redis('redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
  const floors = new Floors(db, redis);
  const auth = await startFakeAuth(); const smtp = await startSmtpSink();
  const env = { ...serviceEnv(auth.url, smtp.port, await freePort()), MONGODB_URI: 'mongodb://127.0.0.1:27017/orms_bench_prof' };
  const api = await startApi(env, true, false);
  try {
    const sc = scenarios(s, floors).find((x) => x.name === which)!;
    const r = await measure(sc, 1000, { url: api.url, pid: api.pid, trace: async () => ({}), restart: async () => undefined }, { ...benchSettings(), seconds: 10, rounds: 2 });
    console.log(JSON.stringify({ api: r.api?.opsPerSec, floor: r.floor?.opsPerSec }));
  } finally {
    await api.close(); await auth.close(); await smtp.close(); await floors.close(); redis.disconnect(); await db.dropDatabase(); await client.close();
  }
}
main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
