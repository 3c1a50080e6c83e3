import { Type, type Static } from 'typebox';
import { Attributes, DeviceId, PageQuery, Slug, Tag, Tags, Timestamp } from './common.ts';

export const DeviceStatus = Type.Union([Type.Literal('enabled'), Type.Literal('disabled')]);
export type DeviceStatus = Static<typeof DeviceStatus>;

export const Device = Type.Object({
  id: DeviceId,
  name: Type.String(),
  type: Type.Union([Slug, Type.Null()]),
  tags: Tags,
  attributes: Attributes,
  status: DeviceStatus,
  groups: Type.Array(Slug, { description: 'Static groups this device is a member of.' }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  lastSeen: Type.Union([Timestamp, Type.Null()])
});
export type Device = Static<typeof Device>;

const deviceFields = {
  name: Type.Optional(Type.String({ maxLength: 200 })),
  type: Type.Optional(Slug),
  tags: Type.Optional(Tags),
  attributes: Type.Optional(Attributes),
  status: Type.Optional(DeviceStatus)
};

export const CreateDeviceBody = Type.Object({ id: DeviceId, ...deviceFields }, { additionalProperties: false });
export type CreateDeviceBody = Static<typeof CreateDeviceBody>;

export const PatchDeviceBody = Type.Object(
  { ...deviceFields, type: Type.Optional(Type.Union([Slug, Type.Null()])) },
  { additionalProperties: false, minProperties: 1 }
);
export type PatchDeviceBody = Static<typeof PatchDeviceBody>;

export const DeviceParams = Type.Object({ deviceId: DeviceId });

export const ListDevicesQuery = Type.Object(
  {
    type: Type.Optional(Slug),
    tag: Type.Optional(Type.Union([Tag, Type.Array(Tag, { maxItems: 16 })], { description: 'Repeat to require several tags.' })),
    status: Type.Optional(DeviceStatus),
    ...PageQuery
  },
  { additionalProperties: false }
);
export type ListDevicesQuery = Static<typeof ListDevicesQuery>;

export const IssuedCredential = Type.Object({
  id: Type.String(),
  token: Type.String({ description: 'Device token (MQTT password). Shown once; only its SHA-256 hash is stored.' }),
  createdAt: Timestamp,
  expiresAt: Type.Union([Timestamp, Type.Null()])
});
export type IssuedCredential = Static<typeof IssuedCredential>;

export const CreatedDevice = Type.Object({ device: Device, credential: IssuedCredential });
export type CreatedDevice = Static<typeof CreatedDevice>;

/** One NDJSON line of `POST /v1/devices/bulk`. */
export const BulkDeviceLine = Type.Object(
  { id: DeviceId, ...deviceFields },
  { additionalProperties: false }
);
export type BulkDeviceLine = Static<typeof BulkDeviceLine>;

/** One NDJSON line of the bulk response: created (with token), already existing, or failed. */
export type BulkResultLine =
  | { line: number; id: string; token: string; credentialId: string }
  | { line: number; id: string; status: 'exists' }
  | { line: number; id?: string; error: { code: string; message: string; field?: string } }
  | { summary: { lines: number; created: number; existing: number; failed: number } };
