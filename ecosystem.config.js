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
      // No heap cap (node defaults), chosen by `npm run bench:memory` (bench/README.md, issue
      // 16): what the API keeps live after a load is 40-80 MB with or without a cap; capping
      // the old generation at 128 MB only made V8 collect the garbage sooner, for a resting
      // RSS of 145 instead of ~210 MB, at 28-39% more CPU per request and a ~30% higher p99.
      // A leak is caught by max_memory_restart above, which restarts the process gracefully.
      node_args: [],
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
