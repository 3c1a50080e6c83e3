import { createServer, type Server } from 'node:http';

/** A prom-client Registry, or the primary's sum over its workers' registries. */
export interface MetricsSource {
  metrics(): Promise<string>;
  readonly contentType: string;
}

/** `/metrics`, `/healthz` and `/readyz` on plain node:http: gateway workers stay free of a web framework. */
export function operationsServer(metrics: MetricsSource, isReady: () => boolean): Server {
  return createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET') {
      response.writeHead(405, { 'content-type': 'application/json' }).end('{"statusCode":405,"code":"PLX_GATEWAY_METHOD_NOT_ALLOWED","message":"only GET"}');
    } else if (path === '/metrics') {
      metrics.metrics().then(
        (text) => response.writeHead(200, { 'content-type': metrics.contentType }).end(text),
        () => response.writeHead(500).end()
      );
    } else if (path === '/healthz') {
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    } else if (path === '/readyz') {
      const ready = isReady();
      response.writeHead(ready ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify({ status: ready ? 'ready' : 'not-ready' }));
    } else {
      response.writeHead(404, { 'content-type': 'application/json' }).end('{"statusCode":404,"code":"PLX_GATEWAY_ROUTE_NOT_FOUND","message":"not found"}');
    }
  });
}
