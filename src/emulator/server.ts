/**
 * Listening: plain HTTP/1.1, or https with HTTP/2 + HTTP/1.1 via ALPN and a self-signed cert.
 * @module
 */
import type { Server } from "node:http";
import { createSecureServer, type Http2SecureServer } from "node:http2";
import { type AddressInfo, isIP } from "node:net";
import { createAdaptorServer } from "@hono/node-server";
import type { Hono } from "hono";
import { generate } from "selfsigned";
import type { AppEnv } from "./context.js";

/** A listening server and how to stop it. */
export interface Listening {
  port: number;
  caPem?: string;
  close(): Promise<void>;
}

/** A self-signed certificate for localhost, 127.0.0.1 and `hosts` (names or IP addresses). */
export async function selfSignedCert(...hosts: string[]): Promise<{ key: string; cert: string }> {
  const altNames: { type: 2 | 7; value?: string; ip?: string }[] = [
    { type: 2, value: "localhost" },
    { type: 7, ip: "127.0.0.1" },
  ];
  const seen = new Set(["localhost", "127.0.0.1"]);
  for (const raw of hosts) {
    const host = raw.startsWith("[") && raw.endsWith("]") ? raw.slice(1, -1) : raw;
    if (host === "" || seen.has(host)) continue;
    seen.add(host);
    altNames.push(isIP(host) ? { type: 7, ip: host } : { type: 2, value: host });
  }
  const pems = await generate([{ name: "commonName", value: "localhost" }], {
    keySize: 2048,
    algorithm: "sha256",
    extensions: [
      { name: "basicConstraints", cA: true },
      { name: "subjectAltName", altNames },
    ],
  });
  return { key: pems.private, cert: pems.cert };
}

/**
 * Starts serving `app` on host:port (port 0 = random; falls back to random if taken). With `tls`,
 * the certificate also names `certHosts` (default: the listen host).
 */
export async function listen(
  app: Hono<AppEnv>,
  host: string,
  port: number,
  tls: boolean,
  fallbackToRandom: boolean,
  options: { certHosts?: string[] } = {},
): Promise<Listening> {
  let caPem: string | undefined;
  let server: Server | Http2SecureServer;
  if (tls) {
    const { key, cert } = await selfSignedCert(...(options.certHosts ?? [host]));
    caPem = cert;
    server = createAdaptorServer({
      fetch: app.fetch,
      createServer: createSecureServer,
      // Hundreds of parked long polls share one connection: allow them the memory.
      serverOptions: { key, cert, allowHTTP1: true, maxSessionMemory: 64 },
    }) as Http2SecureServer;
  } else {
    server = createAdaptorServer({ fetch: app.fetch }) as Server;
  }
  const sockets = new Set<{ destroy(): void }>();
  server.on("connection", (s: { destroy(): void; once(e: string, f: () => void): void }) => {
    sockets.add(s);
    s.once("close", () => sockets.delete(s));
  });
  if (server.listenerCount("secureConnection") >= 0 && tls) {
    server.on(
      "secureConnection",
      (s: { destroy(): void; once(e: string, f: () => void): void }) => {
        sockets.add(s);
        s.once("close", () => sockets.delete(s));
      },
    );
  }
  const actualPort = await new Promise<number>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      if (err.code === "EADDRINUSE" && fallbackToRandom && port !== 0) {
        server.listen(0, host);
        return;
      }
      reject(err);
    };
    server.on("error", onError);
    server.listen(port, host, () => {
      server.off("error", onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
  if ("keepAliveTimeout" in server) server.keepAliveTimeout = 65_000;
  const result: Listening = {
    port: actualPort,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
  if (caPem !== undefined) result.caPem = caPem;
  return result;
}
