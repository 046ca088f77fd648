import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { connect } from "node:net";
import { Agent, EnvHttpProxyAgent, request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ProxyRouter, parseNoProxy } from "./env-proxy.js";
import { createDispatcher } from "./http-dispatcher.js";

/** True when a request to `url` bypasses the proxy under `noProxy`. */
function direct(noProxy: string, url: string, loopback = false): boolean {
  return parseNoProxy(noProxy, { loopback })(new URL(url));
}

describe("parseNoProxy: Go's NO_PROXY rules", () => {
  const list =
    "corp.example, .svc.example, *.wild.example, 192.168.5.1, 192.168.5.2:8080, " +
    "10.0.0.0/8, 172.16.0.0/12, 192.168.1.0/24, fd00::/8, 2001:db8::7, [2001:db8::8]:8443";

  it.each([
    // CIDR: IP-literal hosts inside the range.
    ["http://10.0.0.1/", true],
    ["http://10.255.255.254:9/", true],
    ["http://11.0.0.1/", false],
    ["http://172.31.0.9/", true],
    ["http://172.32.0.9/", false],
    ["https://192.168.1.77/", true],
    ["https://192.168.2.77/", false],
    ["http://[fd12:3456::1]/", true],
    ["http://[fe80::1]/", false],
    ["http://[::ffff:10.1.2.3]/", true],
    // Exact IPs, any spelling, with and without a port.
    ["http://192.168.5.1:1234/", true],
    ["http://192.168.5.2:8080/", true],
    ["http://192.168.5.2/", false],
    ["http://[2001:db8:0:0:0:0:0:7]/", true],
    ["https://[2001:db8::8]:8443/", true],
    ["https://[2001:db8::8]/", false],
    // Domains: `name` is the host and its subdomains; `.name` and `*.name` subdomains only.
    ["https://corp.example/", true],
    ["https://api.corp.example/", true],
    ["https://notcorp.example/", false],
    ["https://svc.example/", false],
    ["https://a.b.svc.example/", true],
    ["https://wild.example/", false],
    ["https://x.wild.example/", true],
    ["https://CORP.Example/", true],
    // A host name is never resolved for CIDR entries.
    ["http://ten.example/", false],
  ])("%s → direct %s", (url, expected) => {
    expect(direct(list, url)).toBe(expected);
  });

  it("matches an entry's port against the URL's port, else the scheme's default", () => {
    expect(direct("corp.example:443", "https://corp.example/")).toBe(true);
    expect(direct("corp.example:443", "http://corp.example/")).toBe(false);
    expect(direct("corp.example:80", "http://corp.example/")).toBe(true);
    expect(direct("corp.example:8080", "http://corp.example:8080/")).toBe(true);
    expect(direct("192.168.5.2:80", "http://192.168.5.2/")).toBe(true);
  });

  it("takes `*` as everything, trims and lower-cases entries, and skips malformed ones", () => {
    expect(direct("corp.example, *", "https://anything.example/")).toBe(true);
    expect(direct("  Corp.Example  ,,", "https://corp.example/")).toBe(true);
    expect(direct(":1", "http://example.com/")).toBe(false);
    expect(direct("10.0.0.0/33", "http://10.0.0.1/")).toBe(false);
    expect(direct("", "http://10.0.0.1/")).toBe(false);
  });

  it("reads an IPv6 CIDR such as ::1/128, and IPv4 entries match IPv4-mapped hosts", () => {
    expect(direct("::1/128", "http://[::1]:8080/")).toBe(true);
    expect(direct("::1/128", "http://[::2]/")).toBe(false);
    expect(direct("10.1.2.3", "http://[::ffff:a01:203]/")).toBe(true);
  });

  it("with `loopback` never proxies localhost or loopback IPs, as Go's environment rule", () => {
    for (const url of ["http://localhost:8080/", "http://127.0.0.2/", "http://[::1]/"]) {
      expect(direct("", url, true)).toBe(true);
      expect(direct("", url, false)).toBe(false);
    }
    expect(direct("", "http://[::2]/", true)).toBe(false);
  });
});

/** A CONNECT proxy that records each tunnel's target and forwards the bytes. */
async function startProxy(): Promise<{ url: string; tunnels: string[]; server: Server }> {
  const tunnels: string[] = [];
  const server = createServer((_req, res) => res.writeHead(405).end());
  server.on("connect", (req, client: Socket, head: Buffer) => {
    tunnels.push(req.url ?? "");
    const [host, port] = (req.url ?? "").split(":");
    const upstream = connect(Number(port), host === "localhost" ? "127.0.0.1" : (host ?? ""));
    upstream.on("connect", () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      upstream.write(head);
      upstream.pipe(client).pipe(upstream);
    });
    upstream.on("error", () => client.destroy());
    client.on("error", () => upstream.destroy());
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, tunnels, server };
}

describe("proxy routing by NO_PROXY, over real sockets", () => {
  let target: Server;
  let targetUrl: string;
  let proxy: Awaited<ReturnType<typeof startProxy>>;

  beforeAll(async () => {
    target = createServer((_req, res) => res.end("ok"));
    target.listen(0, "127.0.0.1");
    await once(target, "listening");
    targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
    proxy = await startProxy();
  });
  afterAll(async () => {
    for (const s of [target, proxy.server]) {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
  });

  async function get(dispatcher: ProxyRouter | ReturnType<typeof createDispatcher>) {
    proxy.tunnels.length = 0;
    const res = await request(targetUrl, { dispatcher });
    expect(await res.body.text()).toBe("ok");
    await dispatcher.close();
    return proxy.tunnels.slice();
  }

  it("ProxyRouter sends a host inside a NO_PROXY CIDR direct, and others through the proxy", async () => {
    const routes = (noProxy: string) => {
      const proxied = new EnvHttpProxyAgent({ httpProxy: proxy.url, httpsProxy: "", noProxy: "" });
      return new ProxyRouter({
        direct: new Agent(),
        http: proxied,
        noProxy: parseNoProxy(noProxy),
      });
    };
    expect(await get(routes("127.0.0.0/8"))).toEqual([]);
    expect(await get(routes("10.0.0.0/8,192.168.1.0/24,::1/128"))).toEqual([
      new URL(targetUrl).host,
    ]);
  });

  it("ProxyRouter sends a scheme without a proxy direct (no fallback between schemes)", async () => {
    const proxied = new EnvHttpProxyAgent({ httpProxy: "", httpsProxy: proxy.url, noProxy: "" });
    const router = new ProxyRouter({ direct: new Agent(), https: proxied, noProxy: () => false });
    expect(await get(router)).toEqual([]);
  });

  it("an explicit proxy with a CIDR noProxy bypasses it for IP literals in the range", async () => {
    const options = { ca: [], rejectUnauthorized: true, proxy: proxy.url };
    expect(await get(createDispatcher({ ...options, noProxy: "127.0.0.0/8" }))).toEqual([]);
    expect(await get(createDispatcher({ ...options, noProxy: "10.0.0.0/8" }))).toEqual([
      new URL(targetUrl).host,
    ]);
  });
});
