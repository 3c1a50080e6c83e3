import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { AerospikeTimeSeriesStore } from './aerospike-time-series-store.ts';
import { flattenNumericFields } from './numeric-fields.ts';
import type { TelemetryPoint } from './time-series-store.ts';

// Write throughput of the Aerospike TimeSeriesStore: devices publish every 5 s, the stream hands
// the store batches of 500 points in arrival order, each written with its rollups. Prints
// points/s, points per CPU-second of this Node process, and the server's CPU seconds when
// --server-pid names the asd process (read from /proc).
//   AEROSPIKE_HOSTS=127.0.0.1:3000 node src/aerospike-write-benchmark.ts --devices 2000 --points 100 --server-pid $(pgrep -x asd)

const { values } = parseArgs({
  options: {
    devices: { type: 'string', default: '2000' },
    points: { type: 'string', default: '100' },
    batch: { type: 'string', default: '500' },
    'server-pid': { type: 'string' }
  }
});
const deviceCount = Number(values.devices);
const pointsPerDevice = Number(values.points);
const batchSize = Number(values.batch);
const serverPid = values['server-pid'] === undefined ? null : Number(values['server-pid']);
const RETENTION_SECONDS = 30 * 86_400;
const PUBLISH_INTERVAL_MS = 5_000;
const CLOCK_TICKS_PER_SECOND = 100;

function serverCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

function nodeCpuSeconds(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}

const hosts = process.env.AEROSPIKE_HOSTS;
if (!hosts) throw new Error('AEROSPIKE_HOSTS must name the server to measure, e.g. 127.0.0.1:3000');
const store = await AerospikeTimeSeriesStore.connect({ hosts, ...(process.env.AEROSPIKE_NAMESPACE ? { namespace: process.env.AEROSPIKE_NAMESPACE } : {}) });

const tenantId = `bench-${Date.now()}`;
const start = Date.now() - pointsPerDevice * PUBLISH_INTERVAL_MS;
const points: TelemetryPoint[] = [];
for (let sequence = 0; sequence < pointsPerDevice; sequence++) {
  for (let device = 0; device < deviceCount; device++) {
    const payload = Buffer.from(JSON.stringify({ temp: 20 + (sequence % 17) / 4, humidity: 40 + (device % 23), power: { watts: 100 + sequence, volts: 230 }, state: 'ok' }));
    const at = start + sequence * PUBLISH_INTERVAL_MS + (device % PUBLISH_INTERVAL_MS);
    points.push({ tenantId, deviceId: `device-${device}`, messageId: `m-${sequence}`, at, stream: null, payload, fields: flattenNumericFields(payload) });
  }
}

const nodeBefore = nodeCpuSeconds();
const serverBefore = serverPid === null ? 0 : serverCpuSeconds(serverPid);
const began = performance.now();
for (let offset = 0; offset < points.length; offset += batchSize) {
  await store.writePoints(points.slice(offset, offset + batchSize), () => RETENTION_SECONDS);
}
const seconds = (performance.now() - began) / 1000;
const nodeCpu = nodeCpuSeconds() - nodeBefore;
const serverCpu = serverPid === null ? null : serverCpuSeconds(serverPid) - serverBefore;
const counted = (await store.countPoints(tenantId, [`device-0`, `device-${deviceCount - 1}`], { from: start, to: Date.now() + 1 })).join(',');
await store.close();

console.log(
  JSON.stringify({
    points: points.length,
    devices: deviceCount,
    batch: batchSize,
    seconds: Number(seconds.toFixed(2)),
    pointsPerSecond: Math.round(points.length / seconds),
    nodeCpuSeconds: Number(nodeCpu.toFixed(2)),
    pointsPerNodeCpuSecond: Math.round(points.length / nodeCpu),
    serverCpuSeconds: serverCpu === null ? null : Number(serverCpu.toFixed(2)),
    pointsPerServerCpuSecond: serverCpu === null ? null : Math.round(points.length / serverCpu),
    countedFirstAndLastDevice: counted
  })
);
