import { Type, type Static } from 'typebox';
import { Slug, Timestamp } from './common.ts';

export const JsonSchemaObject = Type.Record(Type.String(), Type.Unknown(), {
  description: 'A JSON Schema (draft 2020-12 subset understood by Ajv) that telemetry payloads must match.'
});

export const DeviceType = Type.Object({
  name: Slug,
  description: Type.String(),
  telemetrySchema: Type.Union([JsonSchemaObject, Type.Null()]),
  createdAt: Timestamp,
  updatedAt: Timestamp
});
export type DeviceType = Static<typeof DeviceType>;

export const CreateDeviceTypeBody = Type.Object(
  {
    name: Slug,
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    telemetrySchema: Type.Optional(JsonSchemaObject)
  },
  { additionalProperties: false }
);
export type CreateDeviceTypeBody = Static<typeof CreateDeviceTypeBody>;

export const PatchDeviceTypeBody = Type.Object(
  {
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    telemetrySchema: Type.Optional(Type.Union([JsonSchemaObject, Type.Null()]))
  },
  { additionalProperties: false, minProperties: 1 }
);
export type PatchDeviceTypeBody = Static<typeof PatchDeviceTypeBody>;

export const DeviceTypeParams = Type.Object({ name: Slug });
