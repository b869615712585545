// pm2 file of the local stand-ins for the Auth and Customer services (development only;
// scripts/start.sh starts it when nothing answers at their configured local addresses).
const path = require('node:path');

const root = path.resolve(__dirname, '../..');

module.exports = {
  apps: [
    {
      name: 'orms-dev-peers',
      cwd: root,
      script: path.join(__dirname, 'launch.js'),
      interpreter: 'node',
      node_args: ['--import', 'tsx'],
      out_file: path.join(root, 'var/log/dev-peers.out.log'),
      error_file: path.join(root, 'var/log/dev-peers.err.log'),
      merge_logs: true,
    },
  ],
};
