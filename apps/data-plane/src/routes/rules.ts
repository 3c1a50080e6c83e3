import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Alert, AlertParams, ListAlertsQuery, ListRulesQuery, NoContent, Page, Rule, RuleCreate, RuleParams, RuleUpdate } from '@plexus/contracts';
import { errorResponses } from '@plexus/http-api';
import { toRuleView, type AlertStore, type RuleStore } from '@plexus/rules';
import { tenantFor } from '../plugins/authentication.ts';

export interface RuleRouteOptions {
  readonly rules: RuleStore;
  readonly alerts: AlertStore;
}

export const ruleRoutes: FastifyPluginAsyncTypebox<RuleRouteOptions> = async (app, { rules, alerts }) => {
  const tags = ['rules'];
  app.post(
    '/rules',
    { schema: { tags, summary: 'Create a rule on telemetry (threshold, over a window, rate of change, absence)', body: RuleCreate, response: { 201: Rule, ...errorResponses(400, 409) } } },
    async (request, reply) => {
      reply.code(201);
      return toRuleView(await rules.create(tenantFor(request, 'rules:write'), request.body));
    }
  );
  app.get(
    '/rules',
    { schema: { tags, summary: "The tenant's rules by id, with cursor paging", querystring: ListRulesQuery, response: { 200: Page(Rule), ...errorResponses(400) } } },
    async (request) => {
      const page = await rules.list(tenantFor(request, 'telemetry:read'), { limit: request.query.limit ?? 100, cursor: request.query.cursor });
      return { items: page.items.map(toRuleView), nextCursor: page.nextCursor };
    }
  );
  app.get(
    '/rules/:ruleId',
    { schema: { tags, summary: 'One rule', params: RuleParams, response: { 200: Rule, ...errorResponses(404) } } },
    async (request) => toRuleView(await rules.get(tenantFor(request, 'telemetry:read'), request.params.ruleId))
  );
  app.patch(
    '/rules/:ruleId',
    { schema: { tags, summary: 'Change a rule; its evaluation state restarts', params: RuleParams, body: RuleUpdate, response: { 200: Rule, ...errorResponses(400, 404) } } },
    async (request) => toRuleView(await rules.update(tenantFor(request, 'rules:write'), request.params.ruleId, request.body))
  );
  app.delete(
    '/rules/:ruleId',
    { schema: { tags, summary: "Delete a rule; its open alerts resolve", params: RuleParams, response: { 204: NoContent, ...errorResponses(404) } } },
    async (request, reply) => {
      await rules.remove(tenantFor(request, 'rules:write'), request.params.ruleId);
      reply.code(204);
      return null;
    }
  );
  app.get(
    '/alerts',
    {
      schema: {
        tags,
        summary: "The tenant's alerts, newest first, by state, rule, device and opening time",
        querystring: ListAlertsQuery,
        response: { 200: Page(Alert), ...errorResponses(400) }
      }
    },
    async (request) => alerts.list(tenantFor(request, 'telemetry:read'), { ...request.query, limit: request.query.limit ?? 100 })
  );
  app.get(
    '/alerts/:alertId',
    { schema: { tags, summary: 'One alert', params: AlertParams, response: { 200: Alert, ...errorResponses(404) } } },
    async (request) => alerts.get(tenantFor(request, 'telemetry:read'), request.params.alertId)
  );
};
