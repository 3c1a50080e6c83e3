import { setTimeout as delay } from 'node:timers/promises';
import type { AgentDirective, AgentHello, AgentResult, AgentStats, Assignment } from '../contracts/agent-protocol.ts';
import { Check as isAgentDirective } from './agent-directive-check.generated.ts';
import { Check as isAssignment } from './assignment-check.generated.ts';
import { agentErrors } from './errors.ts';

// The agent's side of the controller's HTTP API (`/api/agents`). Answers are checked against
// the shared contracts (with checks generated from them, see generate-answer-checks.ts), so a
// controller of another version fails loudly instead of half-working.

const checkAssignment = { Check: (value: unknown): boolean => isAssignment(value) };
const checkDirective = { Check: (value: unknown): boolean => isAgentDirective(value) };
const REQUEST_TIMEOUT_MS = 10_000;
const FIRST_RETRY_MS = 250;
const LONGEST_RETRY_MS = 4000;

class RetryableFailure extends Error {}

export class ControllerClient {
  readonly baseUrl: string;
  /** How long the controller may stay unreachable before the agent gives up. */
  readonly giveUpAfterMs: number;

  constructor(baseUrl: string, giveUpAfterMs: number) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.giveUpAfterMs = giveUpAfterMs;
  }

  /** Joins the run; retried while the controller is not up yet or not taking agents (503). */
  hello(hello: AgentHello): Promise<Assignment> {
    return this.withRetries(() => this.post('/api/agents', hello, 'Assignment', checkAssignment));
  }

  /** One stats report; a failure is the caller's to count against `giveUpAfterMs`. */
  stats(agentId: string, stats: AgentStats): Promise<AgentDirective> {
    return this.post(`/api/agents/${encodeURIComponent(agentId)}/stats`, stats, 'AgentDirective', checkDirective);
  }

  result(agentId: string, result: AgentResult, giveUpAfterMs = this.giveUpAfterMs): Promise<void> {
    return this.withRetries(async () => {
      await this.post(`/api/agents/${encodeURIComponent(agentId)}/result`, result, null, null);
    }, giveUpAfterMs);
  }

  private async withRetries<T>(attempt: () => Promise<T>, giveUpAfterMs = this.giveUpAfterMs): Promise<T> {
    const started = Date.now();
    let waitMs = FIRST_RETRY_MS;
    for (;;) {
      try {
        return await attempt();
      } catch (error) {
        if (!(error instanceof RetryableFailure)) throw error;
        if (Date.now() - started + waitMs > giveUpAfterMs) throw agentErrors.controllerUnreachable(this.baseUrl, giveUpAfterMs, error.message);
        await delay(waitMs);
        waitMs = Math.min(waitMs * 2, LONGEST_RETRY_MS);
      }
    }
  }

  private async post<T>(path: string, body: unknown, shape: string | null, check: { Check(value: unknown): boolean } | null): Promise<T> {
    const url = `${this.baseUrl}${path}`;
    let answer: { status: number; text: string };
    try {
      answer = await postJson(url, JSON.stringify(body));
    } catch (error) {
      throw new RetryableFailure(`POST ${url}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    const { status, text } = answer;
    if (status >= 502) throw new RetryableFailure(`POST ${url}: ${status} ${text}`);
    if (status < 200 || status > 299) throw agentErrors.controllerRefused('POST', url, status, text);
    if (check === null || shape === null) return undefined as T;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw agentErrors.badControllerAnswer(url, shape);
    }
    if (!check.Check(parsed)) throw agentErrors.badControllerAnswer(url, shape);
    return parsed as T;
  }
}

/**
 * One JSON POST over node:http (node:https for an https controller, loaded only then). Not
 * fetch: its HTTP client (undici) keeps ~15 MB more resident in every agent (measured).
 */
async function postJson(url: string, body: string): Promise<{ status: number; text: string }> {
  const { request } = url.startsWith('https:') ? await import('node:https') : await import('node:http');
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
      response.on('error', reject);
    });
    outgoing.setTimeout(REQUEST_TIMEOUT_MS, () => outgoing.destroy(Object.assign(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`), { code: 'TIMEOUT' })));
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

export function isRetryableFailure(error: unknown): boolean {
  return error instanceof RetryableFailure;
}
