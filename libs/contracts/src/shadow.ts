import { Type, type Static } from 'typebox';

const JsonObject = Type.Record(Type.String(), Type.Unknown(), { description: 'A JSON object; null as a value deletes that key.' });

/** What a device or an app publishes on `devices/{id}/shadow/update`. */
export const ShadowUpdateMessage = Type.Object(
  {
    state: Type.Object(
      { desired: Type.Optional(Type.Union([JsonObject, Type.Null()])), reported: Type.Optional(Type.Union([JsonObject, Type.Null()])) },
      { additionalProperties: false }
    ),
    /** Apply only if the shadow is at this version. */
    version: Type.Optional(Type.Integer({ minimum: 0 })),
    /** Echoed in the answer, so a client can match it to its request. */
    clientToken: Type.Optional(Type.String({ maxLength: 64 }))
  },
  { additionalProperties: false }
);
export type ShadowUpdateMessage = Static<typeof ShadowUpdateMessage>;

/** What a client publishes on `devices/{id}/shadow/get` (the body may also be empty). */
export const ShadowGetMessage = Type.Object({ clientToken: Type.Optional(Type.String({ maxLength: 64 })) }, { additionalProperties: false });
export type ShadowGetMessage = Static<typeof ShadowGetMessage>;

export const ShadowState = Type.Object({ desired: JsonObject, reported: JsonObject, delta: JsonObject });

/** A device shadow as the REST API and `…/shadow/get/accepted` and `…/shadow/update/accepted` return it. */
export const ShadowDocumentBody = Type.Object({
  deviceId: Type.String(),
  state: ShadowState,
  metadata: Type.Object({ desired: JsonObject, reported: JsonObject }),
  version: Type.Integer({ minimum: 0 }),
  /** Epoch ms of the last change. */
  timestamp: Type.Integer({ minimum: 0 }),
  clientToken: Type.Optional(Type.String())
});
export type ShadowDocumentBody = Static<typeof ShadowDocumentBody>;

/** Published on `devices/{id}/shadow/update/delta` when desired and reported differ. */
export const ShadowDeltaMessage = Type.Object({ state: JsonObject, version: Type.Integer({ minimum: 0 }), timestamp: Type.Integer({ minimum: 0 }) });
export type ShadowDeltaMessage = Static<typeof ShadowDeltaMessage>;

/** Published on `…/shadow/update/rejected` and `…/shadow/get/rejected`. */
export const ShadowRejection = Type.Object({ code: Type.String(), message: Type.String(), clientToken: Type.Optional(Type.String()) });
export type ShadowRejection = Static<typeof ShadowRejection>;

export const PatchShadowBody = Type.Object(
  {
    desired: JsonObject,
    /** 409 when the shadow is at another version. */
    version: Type.Optional(Type.Integer({ minimum: 0 }))
  },
  { additionalProperties: false }
);
export type PatchShadowBody = Static<typeof PatchShadowBody>;
