import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { dashboardPlugin } from './dashboard-plugin.ts';
import { growingRun } from './sample-run.ts';

describe('dashboardPlugin', () => {
  let app: FastifyInstance | undefined;

  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  async function dashboard(options: { prefix?: string } = {}): Promise<FastifyInstance> {
    app = Fastify();
    await app.register(dashboardPlugin, { snapshot: growingRun(), ...options });
    await app.ready();
    return app;
  }

  it('serves the page with the figures and the scripts it loads by relative URL', async () => {
    const response = await (await dashboard()).inject({ method: 'GET', url: '/' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    for (const testId of ['connected', 'publish-rate', 'acked', 'state', 'agent-rows', 'error-rows']) {
      expect(response.body).toContain(`data-testid="${testId}"`);
    }
    for (const script of ['uPlot.iife.min.js', 'format.js', 'charts.js', 'tables.js', 'dashboard.js']) {
      expect(response.body).toContain(`<script src="assets/${script}"></script>`);
    }
  });

  it("serves uPlot from the uplot package and the page's own scripts and styles", async () => {
    const server = await dashboard();
    const uplot = await server.inject({ method: 'GET', url: '/assets/uPlot.iife.min.js' });
    expect(uplot.statusCode).toBe(200);
    expect(uplot.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(uplot.body).toBe(readFileSync(createRequire(import.meta.url).resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'));

    const css = await server.inject({ method: 'GET', url: '/assets/uPlot.min.css' });
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(css.body).toContain('.uplot');

    const charts = await server.inject({ method: 'GET', url: '/assets/charts.js' });
    expect(charts.statusCode).toBe(200);
    expect(charts.body).toContain('PlexusCharts');
  });

  it('answers an unknown asset with its catalog code, and serves no file outside its list', async () => {
    const server = await dashboard();
    for (const url of ['/assets/nothing.js', '/assets/..%2Fdashboard-plugin.ts', '/assets/dashboard.html']) {
      const response = await server.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(404);
      expect(response.json().code, url).toBe('PLX_LOADTEST_DASHBOARD_ASSET_NOT_FOUND');
    }
  });

  it('returns the snapshot as it is at each request', async () => {
    const server = await dashboard();
    const first = await server.inject({ method: 'GET', url: '/api/run' });
    const second = await server.inject({ method: 'GET', url: '/api/run' });
    expect(first.statusCode).toBe(200);
    expect(first.headers['cache-control']).toBe('no-store');
    expect(first.json()).toMatchObject({ runId: 'run-sample', scenario: 'smoke', state: 'running' });
    expect(second.json().elapsedSec).toBe(first.json().elapsedSec + 1);
    expect(second.json().series).toHaveLength(first.json().series.length + 1);
  });

  it('works under a prefix', async () => {
    const server = await dashboard({ prefix: '/dashboard' });
    expect((await server.inject({ method: 'GET', url: '/dashboard/' })).statusCode).toBe(200);
    expect((await server.inject({ method: 'GET', url: '/dashboard/api/run' })).json().runId).toBe('run-sample');
  });
});
