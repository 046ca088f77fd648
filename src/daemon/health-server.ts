/**
 * `/metrics`, `/healthz` and `/readyz` on plain `node:http`.
 * @module
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** A probe result: `ok` decides 200 vs 503; `detail` is sent as JSON. */
export interface ProbeResult {
  ok: boolean;
  detail: unknown;
}

/** Options of {@link startHealthServer}. */
export interface HealthServerOptions {
  host: string;
  port: number;
  /** Prometheus exposition text and its content type. */
  metrics: () => Promise<{ body: string; contentType: string }>;
  /** Liveness: the listeners polled recently. */
  alive: () => ProbeResult;
  /** Readiness: sessions open and reconciliation done. */
  ready: () => ProbeResult;
}

/** A running health server. */
export interface HealthServer {
  /** `http://host:port` actually bound (port 0 resolved). */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Starts the server; resolves once it listens. */
export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    const probe = (result: ProbeResult) => {
      res.writeHead(result.ok ? 200 : 503, { "content-type": "application/json" });
      res.end(`${JSON.stringify({ ok: result.ok, ...(result.detail as object) })}\n`);
    };
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405).end();
    } else if (path === "/metrics") {
      options.metrics().then(
        ({ body, contentType }) => {
          res.writeHead(200, { "content-type": contentType });
          res.end(body);
        },
        (err: unknown) => {
          res.writeHead(500, { "content-type": "text/plain" });
          res.end(`metrics failed: ${err instanceof Error ? err.message : String(err)}\n`);
        },
      );
    } else if (path === "/healthz") {
      probe(options.alive());
    } else if (path === "/readyz") {
      probe(options.ready());
    } else {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
    }
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(":") ? `[${options.host}]` : options.host;
  return {
    url: `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
