import { createRequire } from 'node:module';
import type { Server } from 'node:http';
import { parseArgs } from 'node:util';

// The child process startKinesis runs. kinesalite's own CLI listens on every interface; local
// engines stay on loopback, so this entry binds the host it is given and closes LevelDB on
// SIGTERM, so a stop never leaves the store half-written.

type KinesaliteFactory = (options: {
  path: string;
  createStreamMs: number;
  deleteStreamMs: number;
  updateStreamMs: number;
  shardLimit: number;
}) => Server;

const { values } = parseArgs({
  options: {
    host: { type: 'string' },
    port: { type: 'string' },
    path: { type: 'string' },
    'stream-state-ms': { type: 'string' },
    'shard-limit': { type: 'string' }
  }
});

const kinesalite = createRequire(import.meta.url)('kinesalite') as KinesaliteFactory;
const stateMs = Number(values['stream-state-ms']);
const server = kinesalite({
  path: values.path as string,
  createStreamMs: stateMs,
  deleteStreamMs: stateMs,
  updateStreamMs: stateMs,
  shardLimit: Number(values['shard-limit'])
});

server.listen(Number(values.port), values.host, () => {
  console.log(`kinesalite listening on http://${values.host}:${values.port}, data in ${values.path}`);
});

const stop = (): void => {
  // Keep-alive clients would hold close() open; the engine is going away, so cut them.
  server.closeAllConnections();
  server.close((error) => {
    if (error) console.error(`kinesalite: closing LevelDB failed: ${error.message}`);
    process.exit(error ? 1 : 0);
  });
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
