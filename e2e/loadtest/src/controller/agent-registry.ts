import type { AgentDirective, AgentHello, AgentResult, Assignment, DeviceSlice } from '../contracts/agent-protocol.ts';
import type { Scenario } from '../contracts/scenario.ts';

export interface Fleet {
  readonly ids: readonly string[];
  readonly tokens: readonly string[];
}

export interface AgentRecord {
  readonly agentId: string;
  readonly hello: AgentHello;
  readonly slice: { readonly firstIndex: number; readonly count: number };
  lastSeenAt: number;
  state: 'waiting' | 'running' | 'finishing' | 'done' | 'lost';
  result: AgentResult | undefined;
}

export interface AgentRegistryOptions {
  readonly runId: string;
  readonly scenario: Scenario;
  readonly fleet: Fleet;
  readonly expectedAgents: number;
  readonly mqtt: { readonly host: string; readonly port: number };
  /** Source addresses for agents that bring none (local agents), by join order. */
  readonly sourceAddressesFor: (agentIndex: number) => string[];
  readonly statsIntervalMs: number;
  /** How long after the last agent joined every agent starts, so all begin the first phase together. */
  readonly startLeadMs: number;
  /** CONNECTs awaiting CONNACK across the whole fleet, split evenly over the agents. */
  readonly connectsInFlight: number;
}

/**
 * The agents of a run: who joined, which contiguous slice of the fleet each holds, the shared
 * start instant, and what each is told on its next report. Joining agents wait (their hello is
 * answered) until the expected number has joined, since every slice's size depends on it.
 */
export class AgentRegistry {
  readonly #options: AgentRegistryOptions;
  readonly #agents = new Map<string, AgentRecord>();
  readonly #waiting: Array<() => void> = [];
  #startAt: number | undefined;
  #directive: AgentDirective['action'] = 'continue';
  readonly #allJoined: Promise<void>;
  #resolveAllJoined: () => void = () => undefined;
  #resultsComplete: () => void = () => undefined;
  readonly #allResults: Promise<void>;

  constructor(options: AgentRegistryOptions) {
    this.#options = options;
    this.#allJoined = new Promise((resolve) => {
      this.#resolveAllJoined = resolve;
    });
    this.#allResults = new Promise((resolve) => {
      this.#resultsComplete = resolve;
    });
  }

  get allJoined(): Promise<void> {
    return this.#allJoined;
  }

  get allResults(): Promise<void> {
    return this.#allResults;
  }

  get startAt(): number | undefined {
    return this.#startAt;
  }

  agents(): readonly AgentRecord[] {
    return [...this.#agents.values()];
  }

  /** Answers a hello once every expected agent has joined; undefined when the run is full. */
  async join(hello: AgentHello): Promise<Assignment | undefined> {
    const index = this.#agents.size;
    if (index >= this.#options.expectedAgents) return undefined;
    const slice = sliceOf(this.#options.fleet.ids.length, this.#options.expectedAgents, index);
    const agentId = `agent-${index + 1}`;
    this.#agents.set(agentId, { agentId, hello, slice, lastSeenAt: Date.now(), state: 'waiting', result: undefined });
    if (this.#agents.size === this.#options.expectedAgents) {
      this.#startAt = Date.now() + this.#options.startLeadMs;
      for (const wake of this.#waiting.splice(0)) wake();
      this.#resolveAllJoined();
    } else {
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    }
    return this.#assignment(agentId, index);
  }

  #assignment(agentId: string, index: number): Assignment {
    const { fleet, scenario, runId, mqtt, statsIntervalMs } = this.#options;
    const record = this.#agents.get(agentId) as AgentRecord;
    const { firstIndex, count } = record.slice;
    const devices: DeviceSlice = {
      firstIndex,
      ids: fleet.ids.slice(firstIndex, firstIndex + count),
      tokens: fleet.tokens.slice(firstIndex, firstIndex + count)
    };
    const sourceAddresses = record.hello.sourceAddresses.length > 0 ? record.hello.sourceAddresses : this.#options.sourceAddressesFor(index);
    record.state = 'running';
    return {
      runId,
      agentId,
      scenario: scenario as Assignment['scenario'],
      mqtt,
      sourceAddresses,
      devices,
      share: count / fleet.ids.length,
      startAt: this.#startAt as number,
      statsIntervalMs,
      maxConnectsInFlight: Math.max(1, Math.ceil(this.#options.connectsInFlight / this.#options.expectedAgents))
    };
  }

  /** Records that an agent reported; returns what it must do next, or undefined for an unknown agent. */
  seen(agentId: string, now: number): AgentDirective | undefined {
    const record = this.#agents.get(agentId);
    if (record === undefined) return undefined;
    record.lastSeenAt = now;
    if (this.#directive !== 'continue' && record.state === 'running') record.state = 'finishing';
    return { action: this.#directive };
  }

  /** From now on every agent is told to finish (drain and report) or abort (stop at once). */
  tell(action: 'finish' | 'abort'): void {
    this.#directive = action;
  }

  acceptResult(result: AgentResult): boolean {
    const record = this.#agents.get(result.agentId);
    if (record === undefined || result.firstIndex !== record.slice.firstIndex || result.ackedPerDevice.length !== record.slice.count) return false;
    record.result = result;
    record.state = 'done';
    this.#checkResults();
    return true;
  }

  /** An agent that stopped reporting (or whose process died) will send no result. */
  markLost(agentId: string): void {
    const record = this.#agents.get(agentId);
    if (record === undefined || record.state === 'done') return;
    record.state = 'lost';
    this.#checkResults();
  }

  #checkResults(): void {
    if (this.#agents.size === this.#options.expectedAgents && this.agents().every((agent) => agent.state === 'done' || agent.state === 'lost')) {
      this.#resultsComplete();
    }
  }
}

/** Contiguous, as-even-as-possible slices: the first `devices % agents` slices get one more. */
export function sliceOf(devices: number, agents: number, index: number): { firstIndex: number; count: number } {
  const base = Math.floor(devices / agents);
  const extra = devices % agents;
  const count = base + (index < extra ? 1 : 0);
  const firstIndex = index * base + Math.min(index, extra);
  return { firstIndex, count };
}
