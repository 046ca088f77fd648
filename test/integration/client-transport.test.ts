/**
 * Transport over real sockets: a forward proxy on loopback (`proxy` package), TLS with a CA
 * generated in the test (`selfsigned`), HTTP/2 through ALPN and connection sharing.
 */
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createProxy } from "proxy";
import { generate } from "selfsigned";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ScaleSetClient, sharedDispatcher } from "../../src/index.js";
import { installAuthRoutes, PAT } from "../helpers/client-fixtures.js";
import { type RecordingServer, startRecordingServer } from "../helpers/recording-server.js";

const BY_ID = "/tenant/_apis/runtime/runnerscalesets/7";
const servers: RecordingServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function recording(options?: Parameters<typeof startRecordingServer>[0]) {
  const server = await startRecordingServer(options);
  servers.push(server);
  const configUrl = installAuthRoutes(server);
  server.on("GET", BY_ID, { status: 200, body: "null" });
  return { server, configUrl };
}

describe("proxy", () => {
  let proxy: Server;
  let proxyUrl: string;
  let tunnels: string[];

  beforeAll(async () => {
    tunnels = [];
    proxy = createProxy(createServer());
    proxy.on("connect", (req) => tunnels.push(String(req.url)));
    proxy.on("request", (req) => tunnels.push(String(req.url)));
    proxy.listen(0, "127.0.0.1");
    await once(proxy, "listening");
    proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    proxy.closeAllConnections();
    await new Promise((r) => proxy.close(r));
  });

  it("sends every request through an explicit proxy", async () => {
    tunnels.length = 0;
    const { server, configUrl } = await recording();
    const client = ScaleSetClient.withToken({ configUrl, token: PAT, http: { proxy: proxyUrl } });
    await client.getRunnerScaleSetById(7);
    expect(server.requests).toHaveLength(3);
    expect(tunnels.length).toBeGreaterThan(0);
    expect(tunnels.every((t) => t.includes(new URL(server.url).host))).toBe(true);
  });

  it("bypasses the proxy for NO_PROXY hosts", async () => {
    tunnels.length = 0;
    const { server, configUrl } = await recording();
    const client = ScaleSetClient.withToken({
      configUrl,
      token: PAT,
      http: { proxy: proxyUrl, noProxy: "example.com,127.0.0.1" },
    });
    await client.getRunnerScaleSetById(7);
    expect(server.requests).toHaveLength(3);
    expect(tunnels).toHaveLength(0);
  });

  it("never proxies loopback from HTTP_PROXY in the environment", async () => {
    tunnels.length = 0;
    const name = "HTTP_PROXY";
    const saved = process.env[name];
    process.env[name] = proxyUrl;
    try {
      const { server, configUrl } = await recording();
      await ScaleSetClient.withToken({ configUrl, token: PAT }).getRunnerScaleSetById(7);
      expect(server.requests).toHaveLength(3);
      expect(tunnels).toHaveLength(0);
    } finally {
      if (saved === undefined) delete process.env[name];
      else process.env[name] = saved;
    }
  });
  it("uses HTTP_PROXY for http only: https requests go direct unless HTTPS_PROXY is set (Go's rule)", async () => {
    tunnels.length = 0;
    const names = [
      "HTTP_PROXY",
      "http_proxy",
      "HTTPS_PROXY",
      "https_proxy",
      "NO_PROXY",
      "no_proxy",
    ];
    const saved = names.map((n) => [n, process.env[n]] as const);
    for (const n of names) delete process.env[n];
    process.env["HTTP_PROXY"] = proxyUrl;
    try {
      const client = ScaleSetClient.withToken({
        configUrl: "https://scaleset-no-such-host.invalid/org",
        token: PAT,
        http: { retryMax: 0 },
      });
      await expect(client.getRunnerScaleSetById(7)).rejects.toMatchObject({
        code: "NETWORK_ERROR",
      });
      expect(tunnels).toHaveLength(0);
      process.env["https_proxy"] = proxyUrl;
      const viaProxy = ScaleSetClient.withToken({
        configUrl: "https://scaleset-no-such-host.invalid/org",
        token: PAT,
        http: { retryMax: 0 },
      });
      await expect(viaProxy.getRunnerScaleSetById(7)).rejects.toThrow();
      expect(tunnels).toEqual(["scaleset-no-such-host.invalid:443"]);
    } finally {
      for (const [n, v] of saved) {
        if (v === undefined) delete process.env[n];
        else process.env[n] = v;
      }
    }
  });
});

describe("TLS and HTTP/2", () => {
  let ca: { cert: string; key: string };
  let leaf: { cert: string; key: string };

  beforeAll(async () => {
    const caPems = await generate([{ name: "commonName", value: "scaleset test CA" }], {
      keySize: 2048,
      extensions: [
        { name: "basicConstraints", cA: true, critical: true },
        { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
      ],
    });
    ca = { cert: caPems.cert, key: caPems.private };
    const leafPems = await generate([{ name: "commonName", value: "127.0.0.1" }], {
      keySize: 2048,
      ca,
      extensions: [{ name: "subjectAltName", altNames: [{ type: 7, ip: "127.0.0.1" }] }],
    });
    leaf = { cert: leafPems.cert, key: leafPems.private };
  });

  it("trusts a server whose CA is given in `ca` and speaks HTTP/2 to it", async () => {
    const { server, configUrl } = await recording({ tls: leaf });
    const client = ScaleSetClient.withToken({ configUrl, token: PAT, http: { ca: ca.cert } });
    await client.getRunnerScaleSetById(7);
    expect(server.requests.map((r) => r.httpVersion)).toEqual(["2.0", "2.0", "2.0"]);
  });

  it("rejects the server without the CA, without retrying", async () => {
    const { server, configUrl } = await recording({ tls: leaf });
    const err = await ScaleSetClient.withToken({ configUrl, token: PAT })
      .getRunnerScaleSetById(7)
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "NETWORK_ERROR" });
    expect((err as Error).message).toMatch(/certificate|CERT/i);
    expect(server.requests).toHaveLength(0);
  });

  it("accepts the server without the CA when rejectUnauthorized is false", async () => {
    const { configUrl } = await recording({ tls: leaf });
    const client = ScaleSetClient.withToken({
      configUrl,
      token: PAT,
      http: { rejectUnauthorized: false },
    });
    await expect(client.getRunnerScaleSetById(7)).resolves.toBeUndefined();
  });

  it("multiplexes concurrent long polls of many clients over one warm HTTP/2 connection", async () => {
    const { server, configUrl } = await recording({ tls: leaf });
    // Warm the shared connection: concurrent cold starts would each open one before h2 is known.
    await ScaleSetClient.withToken({
      configUrl,
      token: PAT,
      http: { ca: ca.cert },
    }).getRunnerScaleSetById(7);
    server.on("GET", BY_ID, { status: 200, body: "null", delayMs: 100 });
    const clients = Array.from({ length: 20 }, () =>
      ScaleSetClient.withToken({ configUrl, token: PAT, http: { ca: ca.cert } }),
    );
    await Promise.all(clients.map((c) => c.getRunnerScaleSetById(7)));
    expect(server.requestsTo("GET", BY_ID)).toHaveLength(21);
    expect(server.connectionCount()).toBe(1);
  });
  it("never parks a request behind held long polls when a connection's streams are full", async () => {
    const { server, configUrl } = await recording({ tls: leaf });
    const http = { ca: ca.cert };
    await ScaleSetClient.withToken({ configUrl, token: PAT, http }).getRunnerScaleSetById(7);
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const HELD = "/tenant/_apis/runtime/runnerscalesets/8";
    server.on("GET", HELD, async () => {
      await gate;
      return { status: 200, body: "null" };
    });
    const held = Array.from({ length: 120 }, () =>
      ScaleSetClient.withToken({ configUrl, token: PAT, http }).getRunnerScaleSetById(8),
    );
    while (server.requestsTo("GET", HELD).length < 120) await new Promise((r) => setTimeout(r, 10));
    let heldSettled = false;
    void Promise.all(held).then(() => {
      heldSettled = true;
    });
    // More than one connection's worth of streams is held; a new call must still go through.
    await ScaleSetClient.withToken({ configUrl, token: PAT, http }).getRunnerScaleSetById(7);
    expect(heldSettled).toBe(false);
    // Once h2 is known, a burst opens a few wide connections, not one per request (121 before).
    expect(server.connectionCount()).toBeLessThanOrEqual(5);
    release();
    await Promise.all(held);
  });
});

describe("dispatcher sharing", () => {
  it("gives clients with the same options one dispatcher", () => {
    const options = { proxy: false as const, noProxy: undefined, ca: [], rejectUnauthorized: true };
    expect(sharedDispatcher(options)).toBe(sharedDispatcher({ ...options }));
    expect(sharedDispatcher(options)).not.toBe(
      sharedDispatcher({ ...options, rejectUnauthorized: false }),
    );
  });
});
