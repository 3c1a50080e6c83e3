import type { DeviceProfile, ShadowGetMessage, ShadowUpdateMessage } from '@plexus/contracts';
import { ShadowGetMessage as ShadowGetSchema, ShadowUpdateMessage as ShadowUpdateSchema } from '@plexus/contracts';
import { isPlexusError, type PlexusError } from '@plexus/errors';
import type { StreamRecord } from '@plexus/stream';
import { flattenNumericFields, type ShadowChange, type TelemetryPoint, type TimeSeriesStore } from '@plexus/telemetry-store';
import { deviceTopics, parseDeviceTopic } from '@plexus/topics';
import { Compile } from 'typebox/compile';
import { MAX_KEPT_BYTES, type DeadLetter, type DeadLetterStore } from './dead-letters.ts';
import { IngestErrors } from './errors.ts';
import type { ShadowService } from './shadow-service.ts';
import { TelemetrySchemas } from './telemetry-schemas.ts';

/** What the control plane knows about devices (cached and batched by `ControlPlaneLookups`). */
export interface DeviceDirectory {
  deviceProfile(tenantId: string, deviceId: string): Promise<DeviceProfile>;
}

export interface TelemetryIngestorOptions {
  readonly timeSeries: TimeSeriesStore;
  readonly shadows: ShadowService;
  readonly deadLetters: DeadLetterStore;
  readonly devices: DeviceDirectory;
  readonly maxPayloadBytes: number;
  /** For tenants that set no retention of their own (the tenant's `telemetryRetentionDays` wins). */
  readonly defaultRetentionSeconds: number;
  /** Called with the points of a batch once they are stored (rules evaluate them). */
  readonly onPointsStored?: (points: readonly TelemetryPoint[]) => Promise<void>;
  readonly now?: () => number;
}

export interface IngestCounters {
  points: number;
  shadowMessages: number;
  deadLetters: number;
  skipped: number;
}

const validShadowUpdate = Compile(ShadowUpdateSchema);
const validShadowGet = Compile(ShadowGetSchema);
const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * The telemetry stream a record's topic names. Nearly every record comes on the device's main
 * topic, which names none; that one is told by comparing strings, without parsing the topic.
 */
function streamOf(record: StreamRecord): string | null {
  if (record.topic === undefined || record.topic === deviceTopics.telemetry(record.deviceId)) return null;
  return parseDeviceTopic(record.topic)?.stream ?? null;
}

function parseJson(payload: Uint8Array): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(decoder.decode(payload)) };
  } catch {
    return { ok: false };
  }
}

/**
 * Turns stream records into stored data: telemetry points (checked against the device's
 * registration, the payload limit and its type's telemetry schema), shadow updates and gets
 * (answered over MQTT), and dead letters for everything that cannot be stored, with the reason.
 * Every write is idempotent on (tenant, device, message id), so a batch delivered again after a
 * crash stores nothing twice. A batch resolves only once all of it is durable.
 */
/** The point a telemetry record is stored as: the payload as received and its numeric fields. */
export function telemetryPointOf(record: StreamRecord): TelemetryPoint {
  return {
    tenantId: record.tenantId,
    deviceId: record.deviceId,
    messageId: record.messageId,
    at: record.receivedAt,
    stream: streamOf(record),
    payload: record.payload,
    fields: flattenNumericFields(record.payload)
  };
}

export class TelemetryIngestor {
  private readonly options: TelemetryIngestorOptions;
  private readonly schemas = new TelemetrySchemas();
  private readonly now: () => number;
  readonly counters: IngestCounters = { points: 0, shadowMessages: 0, deadLetters: 0, skipped: 0 };

  constructor(options: TelemetryIngestorOptions) {
    this.options = options;
    this.now = options.now ?? Date.now;
  }

  async processBatch(records: readonly StreamRecord[]): Promise<void> {
    const relevant = records.filter((record) => record.kind !== 'usage');
    this.counters.skipped += records.length - relevant.length;
    const profiles = await Promise.all(relevant.map((record) => this.options.devices.deviceProfile(record.tenantId, record.deviceId)));
    const points: TelemetryPoint[] = [];
    const shadowRecords: StreamRecord[] = [];
    const letters: DeadLetter[] = [];
    relevant.forEach((record, index) => {
      const problem = this.problemWith(record, profiles[index] as DeviceProfile);
      if (problem) letters.push(this.deadLetter(record, problem));
      else if (record.kind === 'shadow') shadowRecords.push(record);
      else points.push(telemetryPointOf(record));
    });
    const retentions = new Map<string, number>();
    for (const profile of profiles) if (profile.telemetryRetentionDays !== null) retentions.set(profile.tenantId, profile.telemetryRetentionDays * 86_400);
    const retentionSeconds = (tenantId: string) => retentions.get(tenantId) ?? this.options.defaultRetentionSeconds;
    await Promise.all([this.options.timeSeries.writePoints(points, retentionSeconds), this.options.deadLetters.write(letters)]);
    // Shadow messages one after the other: they are few, and a device's updates apply in order.
    for (const record of shadowRecords) await this.handleShadow(record);
    this.counters.points += points.length;
    this.counters.shadowMessages += shadowRecords.length;
    this.counters.deadLetters += letters.length;
    if (points.length > 0) await this.options.onPointsStored?.(points);
  }

  /** Dead-letters bytes the consumer could not decode into a stream record. */
  async deadLetterUndecodable(raw: Uint8Array, reason: string, origin: { shardId: string; sequenceNumber: string; subSequenceNumber: number }): Promise<void> {
    const error = IngestErrors.undecodable(reason);
    await this.options.deadLetters.write([
      {
        id: `undecodable/${origin.shardId}/${origin.sequenceNumber}/${origin.subSequenceNumber}`,
        tenantId: null,
        deviceId: null,
        messageId: null,
        topic: null,
        code: error.code,
        reason: error.message,
        receivedAt: null,
        deadLetteredAt: this.now(),
        payload: Buffer.from(raw.subarray(0, MAX_KEPT_BYTES)),
        payloadBytes: raw.byteLength
      }
    ]);
    this.counters.deadLetters++;
  }

  private problemWith(record: StreamRecord, profile: DeviceProfile): PlexusError | null {
    if (!profile.exists) return IngestErrors.unknownDevice(record.deviceId, record.tenantId);
    if (record.payload.byteLength > this.options.maxPayloadBytes) return IngestErrors.payloadTooLarge(record.payload.byteLength, this.options.maxPayloadBytes);
    if (record.kind !== 'telemetry' || profile.telemetrySchema === null) return null;
    const parsed = parseJson(record.payload);
    if (!parsed.ok) return IngestErrors.notJson();
    const mismatch = this.schemas.check(profile.telemetrySchema, parsed.value);
    return mismatch === null ? null : IngestErrors.schemaMismatch(mismatch);
  }

  private deadLetter(record: StreamRecord, problem: PlexusError): DeadLetter {
    return {
      id: `${record.tenantId}/${record.deviceId}/${record.messageId}`,
      tenantId: record.tenantId,
      deviceId: record.deviceId,
      messageId: record.messageId,
      topic: record.topic ?? null,
      code: problem.code,
      reason: problem.message,
      receivedAt: record.receivedAt,
      deadLetteredAt: this.now(),
      payload: Buffer.from(record.payload.subarray(0, MAX_KEPT_BYTES)),
      payloadBytes: record.payload.byteLength
    };
  }

  private async handleShadow(record: StreamRecord): Promise<void> {
    const { tenantId, deviceId } = record;
    const kind = record.topic === undefined ? null : parseDeviceTopic(record.topic)?.kind;
    const parsed = record.payload.byteLength === 0 ? ({ ok: true, value: {} } as const) : parseJson(record.payload);
    if (kind === 'shadow-get') {
      const clientToken = parsed.ok && validShadowGet.Check(parsed.value) ? (parsed.value as ShadowGetMessage).clientToken : undefined;
      await this.options.shadows.answerGet(tenantId, deviceId, clientToken);
      return;
    }
    if (!parsed.ok || !validShadowUpdate.Check(parsed.value)) {
      const problem = IngestErrors.badShadowMessage(parsed.ok ? 'expected {"state":{"desired"?:{…},"reported"?:{…}},"version"?:n,"clientToken"?:s}' : 'not JSON');
      await this.options.shadows.reject(tenantId, deviceId, deviceTopics.shadowUpdateRejected(deviceId), { code: problem.code, message: problem.message });
      return;
    }
    const message = parsed.value as ShadowUpdateMessage;
    const change: { desired?: Record<string, unknown>; reported?: Record<string, unknown> } = {};
    if (message.state.desired) change.desired = message.state.desired;
    if (message.state.reported) change.reported = message.state.reported;
    try {
      await this.options.shadows.update(tenantId, deviceId, change as ShadowChange, record.receivedAt, message.version, message.clientToken);
    } catch (error) {
      if (!isPlexusError(error) || error.statusCode >= 500) throw error;
      const token = message.clientToken === undefined ? {} : { clientToken: message.clientToken };
      await this.options.shadows.reject(tenantId, deviceId, deviceTopics.shadowUpdateRejected(deviceId), { code: error.code, message: error.message, ...token });
    }
  }
}
