import { Type, type Static, type TSchema } from 'typebox';

// Identifiers end up in MQTT topics and in composite storage keys (`tenant/device`), so they
// exclude `/`, `+`, `#` and whitespace.
export const TenantId = Type.String({
  pattern: '^[a-z0-9][a-z0-9-]{1,62}$',
  description: 'Lower-case slug: letters, digits and dashes, 2 to 63 characters.'
});
export const DeviceId = Type.String({
  pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$',
  description: 'Unique per tenant; letters, digits, `.`, `_`, `:` and `-`, at most 128 characters.'
});
export const Slug = Type.String({
  pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$',
  description: 'Letters, digits, `.`, `_` and `-`, at most 64 characters.'
});
export const Timestamp = Type.String({ format: 'date-time' });
export const Tag = Type.String({ pattern: '^[^\\s,]{1,64}$', description: 'No whitespace or commas, at most 64 characters.' });
export const Tags = Type.Array(Tag, { maxItems: 64, uniqueItems: true });
export const Attributes = Type.Record(Type.String({ maxLength: 64 }), Type.Unknown(), {
  description: 'Free-form JSON attributes (at most 64 keys).',
  maxProperties: 64
});

export const ErrorResponse = Type.Object(
  {
    statusCode: Type.Integer(),
    code: Type.String({ description: 'Stable error code, e.g. PLX_REGISTRY_DEVICE_NOT_FOUND.' }),
    message: Type.String(),
    field: Type.Optional(Type.String({ description: 'JSON pointer of the offending field, when one is at fault.' }))
  },
  { $id: 'ErrorResponse' }
);
export type ErrorResponse = Static<typeof ErrorResponse>;

export const PageQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
  cursor: Type.Optional(Type.String({ maxLength: 512, description: 'Opaque cursor from a previous page.' }))
};

export function Page<T extends TSchema>(item: T) {
  return Type.Object({
    items: Type.Array(item),
    nextCursor: Type.Union([Type.String(), Type.Null()], { description: 'Null on the last page.' })
  });
}

export const NoContent = Type.Null({ description: 'No content' });
