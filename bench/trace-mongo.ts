/**
 * Preloaded into the API process when BENCH_TRACE=1 (`node --import tsx --import
 * ./bench/trace-mongo.ts dist/api/server.js`): turns on the MongoDB driver's command
 * monitoring on mongoose's connection and counts commands and their time, which the bench
 * collects and resets over IPC around each scenario. Changes nothing else.
 */
import mongoose from 'mongoose';

type Tally = Record<string, { n: number; ms: number }>;
let tally: Tally = {};

const connect = mongoose.connect.bind(mongoose);
Object.assign(mongoose, {
  connect: async (uri: string, options?: mongoose.ConnectOptions) => {
    const m = await connect(uri, { ...options, monitorCommands: true });
    m.connection.getClient().on('commandSucceeded', (e: { commandName: string; duration: number }) => {
      const t = (tally[e.commandName] ??= { n: 0, ms: 0 });
      t.n++;
      t.ms += e.duration;
    });
    return m;
  },
});

process.on('message', (m: unknown) => {
  if (m !== 'bench:trace') return;
  process.send?.({ benchTrace: tally });
  tally = {};
});
