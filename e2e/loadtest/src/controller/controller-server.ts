import Fastify, { type FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { errorHandler } from '@plexus/http-api';
import { AgentDirective, AgentHello, AgentResult, AgentStats, Assignment } from '../contracts/agent-protocol.ts';
import type { RunSnapshot } from '../contracts/report.ts';
import { dashboardPlugin } from '../dashboard/dashboard-plugin.ts';
import type { AgentRegistry } from './agent-registry.ts';
import { controllerErrors } from './errors.ts';
import type { RunStats } from './run-stats.ts';

/** What the server reads; the run fills it in as it reaches each stage. */
export interface ControllerState {
  registry: AgentRegistry | undefined;
  stats: RunStats | undefined;
  /** Why agents cannot join yet, e.g. `provisioning`. */
  stage: string;
  snapshot(): RunSnapshot;
}

const AgentParams = Type.Object({ agentId: Type.String({ maxLength: 64 }) });

/**
 * The controller's HTTP server: the agents' API (join, stats, result) and the live dashboard.
 * Agents on other hosts reach it the same way local ones do.
 */
export async function buildControllerServer(state: ControllerState): Promise<FastifyInstance> {
  // Assignments carry the devices' tokens and results one count per device: up to ~2 MB per agent.
  const app = Fastify({ logger: false, bodyLimit: 64 * 1024 * 1024 }).withTypeProvider<TypeBoxTypeProvider>();
  await app.register(errorHandler, { errors: controllerErrors });

  app.post('/api/agents', { schema: { body: AgentHello, response: { 201: Assignment } } }, async (request, reply) => {
    const registry = state.registry;
    if (registry === undefined) throw controllerErrors.notAcceptingAgents(state.stage);
    const assignment = await registry.join(request.body);
    if (assignment === undefined) throw controllerErrors.runFull(registry.agents().length);
    return reply.code(201).send(assignment);
  });

  app.post(
    '/api/agents/:agentId/stats',
    { schema: { params: AgentParams, body: AgentStats, response: { 200: AgentDirective } } },
    async (request) => {
      const { registry, stats } = state;
      const directive = registry?.seen(request.params.agentId, Date.now());
      if (registry === undefined || stats === undefined || directive === undefined || request.body.agentId !== request.params.agentId) {
        throw controllerErrors.unknownAgent(request.params.agentId);
      }
      stats.record(request.body);
      return directive;
    }
  );

  app.post('/api/agents/:agentId/result', { schema: { params: AgentParams, body: AgentResult } }, async (request, reply) => {
    const { registry, stats } = state;
    if (registry === undefined || stats === undefined || request.body.agentId !== request.params.agentId) {
      throw controllerErrors.unknownAgent(request.params.agentId);
    }
    if (!registry.acceptResult(request.body)) throw controllerErrors.resultMismatch(request.params.agentId);
    stats.record(request.body.final);
    return reply.code(204).send();
  });

  await app.register(dashboardPlugin, { snapshot: () => state.snapshot() });
  return app;
}
