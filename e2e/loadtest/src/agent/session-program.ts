import type { ConnectStep, SessionStep } from '../contracts/scenario.ts';
import { agentErrors } from './errors.ts';
import { compilePayload, compileTemplate, type MessageContext } from './message-payloads.ts';

// A scenario's session as a flat list of operations a device walks with one program counter.
// Loops become a start and an end operation around their body, each with a counter slot, so a
// device's whole position in its session is two small integers, not a call stack.

export type Operation =
  | { readonly kind: 'connect'; readonly step: ConnectStep }
  | {
      readonly kind: 'publish';
      readonly topic: (context: MessageContext) => string;
      readonly qos: 0 | 1;
      readonly retain: boolean;
      readonly payload: (context: MessageContext) => Buffer;
    }
  | { readonly kind: 'subscribe'; readonly filter: (context: MessageContext) => string; readonly qos: 0 | 1 }
  | { readonly kind: 'think'; readonly meanMs: number; readonly exponential: boolean }
  | { readonly kind: 'stay'; readonly durationMs: number | null }
  | { readonly kind: 'disconnect' }
  | { readonly kind: 'loop-start'; readonly slot: number }
  | { readonly kind: 'loop-end'; readonly slot: number; readonly count: number; readonly bodyStart: number };

export interface SessionProgram {
  readonly operations: readonly Operation[];
  /** Loop counters each device needs. */
  readonly loopSlots: number;
}

export function compileSession(session: readonly SessionStep[], random: () => number): SessionProgram {
  const operations: Operation[] = [];
  let loopSlots = 0;
  const emit = (steps: readonly SessionStep[]): void => {
    for (const step of steps) {
      switch (step.kind) {
        case 'connect':
          operations.push({ kind: 'connect', step });
          break;
        case 'publish':
          operations.push({
            kind: 'publish',
            topic: compileTemplate(step.topic),
            qos: step.qos,
            retain: step.retain,
            payload: compilePayload(step.payload, step.stamped, random)
          });
          break;
        case 'subscribe':
          operations.push({ kind: 'subscribe', filter: compileTemplate(step.filter), qos: step.qos });
          break;
        case 'think':
          operations.push({ kind: 'think', meanMs: step.meanMs, exponential: step.distribution === 'exponential' });
          break;
        case 'stay':
          operations.push({ kind: 'stay', durationMs: step.durationMs ?? null });
          break;
        case 'disconnect':
          operations.push({ kind: 'disconnect' });
          break;
        case 'loop': {
          if (step.steps.length === 0) throw agentErrors.badSession('a loop has no steps');
          const slot = loopSlots++;
          operations.push({ kind: 'loop-start', slot });
          const bodyStart = operations.length;
          emit(step.steps);
          operations.push({ kind: 'loop-end', slot, count: step.count, bodyStart });
          break;
        }
      }
    }
  };
  emit(session);
  if (operations.length === 0) throw agentErrors.badSession('the session has no steps');
  return { operations, loopSlots };
}
