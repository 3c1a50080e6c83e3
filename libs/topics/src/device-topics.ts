// The device view of Plexus's topic tree (ARCHITECTURE.md, "Topic scheme"). The gateway mounts
// it under the tenant, so the same names serve every tenant.

export type DeviceTopicKind =
  | 'telemetry'
  | 'shadow-update'
  | 'shadow-get'
  | 'shadow-update-accepted'
  | 'shadow-update-rejected'
  | 'shadow-delta'
  | 'shadow-get-accepted'
  | 'shadow-get-rejected'
  | 'jobs-notify'
  | 'job-update'
  | 'commands';

export interface DeviceTopic {
  readonly kind: DeviceTopicKind;
  readonly deviceId: string;
  /** Telemetry sub-stream (`devices/{id}/telemetry/{stream}`), else null. */
  readonly stream: string | null;
  /** The job of a `job-update`, else null. */
  readonly jobId: string | null;
}

const SUFFIX_KINDS: Readonly<Record<string, DeviceTopicKind>> = {
  telemetry: 'telemetry',
  'shadow/update': 'shadow-update',
  'shadow/get': 'shadow-get',
  'shadow/update/accepted': 'shadow-update-accepted',
  'shadow/update/rejected': 'shadow-update-rejected',
  'shadow/update/delta': 'shadow-delta',
  'shadow/get/accepted': 'shadow-get-accepted',
  'shadow/get/rejected': 'shadow-get-rejected',
  'jobs/notify': 'jobs-notify',
  commands: 'commands'
};

const ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** Reads a topic of the scheme; null for anything else. */
export function parseDeviceTopic(topic: string): DeviceTopic | null {
  const levels = topic.split('/');
  if (levels[0] !== 'devices' || levels.length < 3) return null;
  const deviceId = levels[1] as string;
  if (!ID.test(deviceId)) return null;
  const suffix = levels.slice(2);
  const kind = SUFFIX_KINDS[suffix.join('/')];
  if (kind) return { kind, deviceId, stream: null, jobId: null };
  if (suffix.length === 2 && suffix[0] === 'telemetry' && ID.test(suffix[1] as string)) {
    return { kind: 'telemetry', deviceId, stream: suffix[1] as string, jobId: null };
  }
  if (suffix.length === 3 && suffix[0] === 'jobs' && suffix[2] === 'update' && ID.test(suffix[1] as string)) {
    return { kind: 'job-update', deviceId, stream: null, jobId: suffix[1] as string };
  }
  return null;
}

export const deviceTopics = {
  telemetry: (deviceId: string, stream?: string) => (stream ? `devices/${deviceId}/telemetry/${stream}` : `devices/${deviceId}/telemetry`),
  shadowUpdateAccepted: (deviceId: string) => `devices/${deviceId}/shadow/update/accepted`,
  shadowUpdateRejected: (deviceId: string) => `devices/${deviceId}/shadow/update/rejected`,
  shadowDelta: (deviceId: string) => `devices/${deviceId}/shadow/update/delta`,
  shadowGetAccepted: (deviceId: string) => `devices/${deviceId}/shadow/get/accepted`,
  shadowGetRejected: (deviceId: string) => `devices/${deviceId}/shadow/get/rejected`,
  jobsNotify: (deviceId: string) => `devices/${deviceId}/jobs/notify`,
  commands: (deviceId: string) => `devices/${deviceId}/commands`
} as const;
