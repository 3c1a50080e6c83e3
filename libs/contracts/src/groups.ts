import { Type, type Static } from 'typebox';
import { DeviceId, Slug, Tag, Timestamp } from './common.ts';
import { DeviceStatus } from './devices.ts';

export const GroupQuery = Type.Object(
  {
    type: Type.Optional(Slug),
    tags: Type.Optional(Type.Array(Tag, { minItems: 1, maxItems: 16, uniqueItems: true, description: 'Devices carrying all of these tags.' })),
    status: Type.Optional(DeviceStatus)
  },
  { additionalProperties: false, minProperties: 1 }
);
export type GroupQuery = Static<typeof GroupQuery>;

export const Group = Type.Object({
  id: Slug,
  name: Type.String(),
  kind: Type.Union([Type.Literal('static'), Type.Literal('dynamic')]),
  query: Type.Union([GroupQuery, Type.Null()]),
  createdAt: Timestamp,
  updatedAt: Timestamp
});
export type Group = Static<typeof Group>;

export const CreateGroupBody = Type.Union([
  Type.Object(
    { id: Slug, name: Type.Optional(Type.String({ maxLength: 200 })), kind: Type.Literal('static') },
    { additionalProperties: false }
  ),
  Type.Object(
    { id: Slug, name: Type.Optional(Type.String({ maxLength: 200 })), kind: Type.Literal('dynamic'), query: GroupQuery },
    { additionalProperties: false }
  )
]);
export type CreateGroupBody = Static<typeof CreateGroupBody>;

export const PatchGroupBody = Type.Object(
  { name: Type.Optional(Type.String({ maxLength: 200 })), query: Type.Optional(GroupQuery) },
  { additionalProperties: false, minProperties: 1 }
);
export type PatchGroupBody = Static<typeof PatchGroupBody>;

export const GroupParams = Type.Object({ groupId: Slug });

export const GroupMembersBody = Type.Object(
  { deviceIds: Type.Array(DeviceId, { minItems: 1, maxItems: 10_000, uniqueItems: true }) },
  { additionalProperties: false }
);
export type GroupMembersBody = Static<typeof GroupMembersBody>;

export const GroupMembersResult = Type.Object({
  changed: Type.Integer({ description: 'Devices whose membership changed.' }),
  unchanged: Type.Integer({ description: 'Devices that already were (or were not) members.' }),
  notFound: Type.Array(DeviceId)
});
export type GroupMembersResult = Static<typeof GroupMembersResult>;
