import { Type, type Static } from 'typebox';

export const Scope = Type.Union(
  [
    Type.Literal('registry:read'),
    Type.Literal('registry:write'),
    Type.Literal('telemetry:read'),
    Type.Literal('shadow:write'),
    Type.Literal('rules:write'),
    Type.Literal('mqtt:subscribe'),
    Type.Literal('billing:read'),
    Type.Literal('admin')
  ],
  { description: '`admin` implies every other scope within its tenant.' }
);
export type Scope = Static<typeof Scope>;
