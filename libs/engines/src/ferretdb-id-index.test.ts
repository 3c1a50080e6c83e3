import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectMongoWireEngine, freePort, startMongoWire, type EngineHandle } from './index.ts';

// FerretDB's SQLite backend queries _id as `_ferretdb_sjson->'$._id'` and indexes another
// expression; the launcher adds the index those queries can use (tools/ferretdb-embedded/id-index.go).
const FERRETDB_ID_QUERY = `SELECT _ferretdb_sjson FROM %TABLE% WHERE _ferretdb_sjson->'$._id' = ?`;

function queryPlan(file: string): string[] {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    const table = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'devices_%'`).get() as { name: string } | undefined;
    if (!table) return [];
    const plan = db.prepare(`EXPLAIN QUERY PLAN ${FERRETDB_ID_QUERY.replace('%TABLE%', `"${table.name}"`)}`).all('"acme/d-1"');
    return plan.map((row) => String(row['detail']));
  } finally {
    db.close();
  }
}

async function waitForPlan(file: string, pattern: RegExp, timeoutMs = 15_000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const plan = queryPlan(file);
    if (plan.some((step) => pattern.test(step))) return plan;
    if (Date.now() > deadline) throw new Error(`query plan never matched ${pattern}: ${JSON.stringify(plan)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe.runIf(detectMongoWireEngine().kind === 'ferretdb-embedded')('ferretdb-embedded _id lookups', () => {
  const dataRoot = mkdtempSync(join(tmpdir(), 'plexus-ferretdb-index-'));
  let engine: EngineHandle;
  let client: MongoClient;

  beforeAll(async () => {
    engine = await startMongoWire({ port: await freePort(), dataDir: join(dataRoot, 'mongo') });
    client = await MongoClient.connect(engine.url);
  });

  afterAll(async () => {
    await client?.close();
    await engine?.stop();
    rmSync(dataRoot, { recursive: true, force: true });
  });

  it('are index searches, not table scans, on collections created while it runs', async () => {
    const devices = client.db('registry').collection<{ _id: string }>('devices');
    await devices.insertMany(Array.from({ length: 500 }, (_, i) => ({ _id: `acme/d-${i}` })));
    const plan = await waitForPlan(join(dataRoot, 'mongo', 'registry.sqlite'), /USING INDEX .*_plexus_id/);
    expect(plan.join(' ')).toMatch(/^SEARCH /);
    expect(await devices.findOne({ _id: 'acme/d-250' })).toEqual({ _id: 'acme/d-250' });
  });

  it('never recreates a database that was dropped', async () => {
    const scratch = client.db('scratch');
    await scratch.collection('devices').insertOne({ _id: 'x' } as never);
    await waitForPlan(join(dataRoot, 'mongo', 'scratch.sqlite'), /USING INDEX/);
    await scratch.dropDatabase();
    const file = join(dataRoot, 'mongo', 'scratch.sqlite');
    const deadline = Date.now() + 2500;
    while (Date.now() < deadline) {
      expect(existsSync(file)).toBe(false);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  });
});
