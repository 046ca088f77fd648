/**
 * A real node:http (or TLS + HTTP/2) server on 127.0.0.1 port 0 that records every request and
 * answers with scripted responses, for client wire tests.
 */
import { once } from "node:events";
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from "node:http";
import { createSecureServer, type Http2ServerRequest, type Http2ServerResponse } from "node:http2";
import type { AddressInfo } from "node:net";

/** One request as the server saw it. */
export interface RecordedRequest {
  method: string;
  /** Path and raw query as sent. */
  url: string;
  path: string;
  /** Raw query without `?` ("" when none). */
  query: string;
  headers: IncomingHttpHeaders;
  body: string;
  httpVersion: string;
}

/** What the server answers. An object `body` is sent as JSON; a string as is. */
export interface ScriptedResponse {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** Destroy the socket instead of answering (a connection reset). */
  destroy?: boolean;
  /** Wait this long before answering (aborts when the client goes away). */
  delayMs?: number;
}

export type Responder =
  | ScriptedResponse
  | ((req: RecordedRequest) => ScriptedResponse | Promise<ScriptedResponse>);

export interface RecordingServer {
  /** `http://127.0.0.1:<port>` or `https://…`. */
  url: string;
  requests: RecordedRequest[];
  /** Scripts `method path` (path without query): responders are used in order, the last repeats. */
  on(method: string, path: string, ...responders: Responder[]): void;
  /** TCP connections accepted so far (TLS and plain alike). */
  connectionCount(): number;
  /** Requests for `method path`. */
  requestsTo(method: string, path: string): RecordedRequest[];
  close(): Promise<void>;
}

export interface RecordingServerOptions {
  /** Serve TLS (with HTTP/2 offered through ALPN, HTTP/1.1 allowed) with this key and cert. */
  tls?: { key: string; cert: string };
}

type AnyReq = IncomingMessage | Http2ServerRequest;
type AnyRes = ServerResponse | Http2ServerResponse;

/** Starts a recording server; unscripted requests get 404 `{"message":"no route"}`. */
export async function startRecordingServer(
  options: RecordingServerOptions = {},
): Promise<RecordingServer> {
  const requests: RecordedRequest[] = [];
  const routes = new Map<string, Responder[]>();

  const handle = async (req: AnyReq, res: AnyRes) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const recorded: RecordedRequest = {
      method: req.method ?? "",
      url,
      path: q < 0 ? url : url.slice(0, q),
      query: q < 0 ? "" : url.slice(q + 1),
      headers: req.headers,
      body: Buffer.concat(chunks).toString("utf8"),
      httpVersion: req.httpVersion,
    };
    requests.push(recorded);
    const queue = routes.get(`${recorded.method} ${recorded.path}`);
    const responder = queue && queue.length > 1 ? queue.shift() : queue?.[0];
    const scripted: ScriptedResponse =
      responder === undefined
        ? { status: 404, body: { message: "no route" } }
        : typeof responder === "function"
          ? await responder(recorded)
          : responder;
    if (scripted.delayMs) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, scripted.delayMs);
        res.once("close", () => {
          clearTimeout(timer);
          resolve();
        });
      });
      if (res.destroyed || res.writableEnded) return;
    }
    if (scripted.destroy) {
      req.socket.destroy();
      return;
    }
    const isJson = scripted.body !== undefined && typeof scripted.body !== "string";
    const body =
      scripted.body === undefined
        ? ""
        : isJson
          ? JSON.stringify(scripted.body)
          : String(scripted.body);
    const headers: Record<string, string> = {
      ...(isJson ? { "content-type": "application/json" } : {}),
      ...scripted.headers,
    };
    res.writeHead(scripted.status, headers);
    res.end(body);
  };
  const listener = (req: AnyReq, res: AnyRes) => {
    handle(req, res).catch((error: unknown) => {
      res.writeHead(500);
      res.end(String(error));
    });
  };

  const server = options.tls
    ? createSecureServer({ ...options.tls, allowHTTP1: true }, listener)
    : createServer(listener);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  const sessions = new Set<{ destroy(): void }>();
  server.on("session", (s: { destroy(): void }) => sessions.add(s));
  let connections = 0;
  server.on("connection", (s: { destroy(): void }) => {
    connections++;
    sessions.add(s);
  });

  return {
    url: `${options.tls ? "https" : "http"}://127.0.0.1:${port}`,
    requests,
    on(method, path, ...responders) {
      routes.set(`${method} ${path}`, responders);
    },
    connectionCount: () => connections,
    requestsTo(method, path) {
      return requests.filter((r) => r.method === method && r.path === path);
    },
    async close() {
      for (const s of sessions) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
