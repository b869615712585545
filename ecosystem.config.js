// pm2 process file: the API in cluster mode (one process per core) and the workers as
// their own app. Both read .env through src/config.ts and stop gracefully on SIGINT/SIGTERM.
const path = require('node:path');

const cwd = __dirname;
const shutdownMs = Number(process.env.SHUTDOWN_TIMEOUT_MS || 10000);

module.exports = {
  apps: [
    {
      name: 'orms-api',
      cwd,
      script: path.join(cwd, 'dist/api/server.js'),
      exec_mode: 'cluster',
      instances: process.env.API_INSTANCES || 'max',
      wait_ready: true, // server.ts sends 'ready' once it listens
      listen_timeout: 15000,
      kill_timeout: shutdownMs + 2000, // longer than the API's own drain deadline
      max_memory_restart: '400M',
      // Under load V8 let the heap grow to ~155 MB of mostly garbage (live: 40-50 MB) and
      // the API's RSS peaked at 250 MB. With the old generation capped at 128 MB it peaks
      // at ~145 MB for 5% less get-order throughput (npm run bench:memory; a smaller young
      // generation too: 118 MB, but 14% less). The benchmark runs the API with these flags.
      node_args: ['--max-old-space-size=128'],
      out_file: path.join(cwd, 'var/log/api.out.log'),
      error_file: path.join(cwd, 'var/log/api.err.log'),
      merge_logs: true,
      env: { NODE_ENV: 'production' },
    },
    {
      name: 'orms-workers',
      cwd,
      script: path.join(cwd, 'dist/workers/main.js'),
      exec_mode: 'fork',
      instances: 1,
      wait_ready: true,
      listen_timeout: 15000,
      kill_timeout: shutdownMs + 2000, // longer than the longest job, so pm2 never cuts one short
      max_memory_restart: '400M',
      out_file: path.join(cwd, 'var/log/workers.out.log'),
      error_file: path.join(cwd, 'var/log/workers.err.log'),
      merge_logs: true,
      env: { NODE_ENV: 'production' },
    },
  ],
};
