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
      // V8's young generation grows to 3 × 16 MB under load and is collected late: the
      // API's RSS peaked at 210-250 MB of mostly garbage (bench/README.md, finding 7).
      // Smaller semi-spaces collect it sooner; the benchmark runs the API with these too.
      node_args: ['--max-semi-space-size=2'],
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
