import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { repoRoot } from '@plexus/engines';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly startTime: number;
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface ProfileShare {
  readonly name: string;
  readonly milliseconds: number;
  readonly percent: number;
}

/**
 * A span of the monotonic clock in microseconds (`process.hrtime.bigint() / 1000n` in any
 * process of the machine: V8 stamps its profiles with the same clock on Linux).
 */
export interface ProfileWindow {
  readonly fromMicros: number;
  readonly toMicros: number;
}

export interface ProfileSummary {
  readonly totalMilliseconds: number;
  /** Self time by function (name, file, line), largest first. */
  readonly functions: readonly ProfileShare[];
  /** Self time by where the code lives: a workspace project, an npm package, node's own, V8's (GC, idle, program). */
  readonly places: readonly ProfileShare[];
}

/** `libs/telemetry-store`, `lmdb`, `node:internal`, or the V8 pseudo-frame (`(garbage collector)`). */
function placeOf(node: ProfileNode): string {
  const { url, functionName } = node.callFrame;
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node:internal';
  const packaged = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (packaged !== null) return packaged[1] as string;
  const workspace = /\/(libs|apps|tools)\/([^/]+)\//.exec(url);
  return workspace === null ? url : `${workspace[1]}/${workspace[2]}`;
}

function functionOf(node: ProfileNode): string {
  const { url, functionName, lineNumber } = node.callFrame;
  if (url === '') return functionName;
  const file = url.startsWith('file://') ? relative(repoRoot(), new URL(url).pathname) : url;
  return `${functionName || '(anonymous)'} ${file.replace(/^node_modules\//, '')}:${lineNumber + 1}`;
}

function ranked(totals: Map<string, number>, totalMicros: number, top: number): ProfileShare[] {
  return [...totals]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, micros]) => ({ name, milliseconds: Math.round(micros / 1000), percent: Math.round((micros / totalMicros) * 1000) / 10 }));
}

/** Self time of a `.cpuprofile` (as `--cpu-prof` writes it) by function and by place, within `window` when given. */
export function summarizeCpuProfile(path: string, window?: ProfileWindow, top = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const byFunction = new Map<string, number>();
  const byPlace = new Map<string, number>();
  let totalMicros = 0;
  let sampledAt = profile.startTime;
  profile.samples.forEach((nodeId, index) => {
    const node = nodes.get(nodeId);
    // A sample's delta is the time since the previous one: the time it stands for.
    const micros = profile.timeDeltas[index] ?? 0;
    sampledAt += micros;
    if (node === undefined) return;
    if (window !== undefined && (sampledAt < window.fromMicros || sampledAt > window.toMicros)) return;
    totalMicros += micros;
    const name = functionOf(node);
    byFunction.set(name, (byFunction.get(name) ?? 0) + micros);
    const place = placeOf(node);
    byPlace.set(place, (byPlace.get(place) ?? 0) + micros);
  });
  return { totalMilliseconds: Math.round(totalMicros / 1000), functions: ranked(byFunction, totalMicros, top), places: ranked(byPlace, totalMicros, top) };
}

export function printProfileSummary(path: string, what: string, summary: ProfileSummary): void {
  console.log(`  profile ${path}, ${what}: ${summary.totalMilliseconds} ms sampled (main thread; idle included)`);
  console.log('    self time by place:');
  for (const share of summary.places) console.log(`      ${share.percent.toFixed(1).padStart(5)}%  ${share.milliseconds.toString().padStart(7)} ms  ${share.name}`);
  console.log('    self time by function:');
  for (const share of summary.functions) console.log(`      ${share.percent.toFixed(1).padStart(5)}%  ${share.milliseconds.toString().padStart(7)} ms  ${share.name}`);
}
