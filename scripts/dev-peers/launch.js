// What pm2 starts for orms-dev-peers. Given server.ts itself, pm2 tries ts-node for the .ts
// extension (and writes "TypeScript support unavailable" to the error log at every start,
// tsx being what this project uses); given a .js file it leaves loading to node, and the
// `--import tsx` of node_args compiles server.ts when it is required here.
require('./server.ts');
