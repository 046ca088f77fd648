/**
 * Shared undici dispatchers. Clients with the same connection-relevant options share one
 * dispatcher, so many scale sets ride a few connections (and multiplex over HTTP/2 when a TLS
 * server offers `h2` through ALPN).
 *
 * Proxy rules: an explicit `proxy` URL is used for every host except `noProxy` entries (or the
 * environment's NO_PROXY). Without one, Go's environment rules apply: `HTTP_PROXY` for http and
 * `HTTPS_PROXY` for https only (no fallback between them; upper case first, empty = unset), and
 * loopback (`localhost`, 127.0.0.0/8, `::1`) is never proxied from the environment. NO_PROXY
 * (and `noProxy`) entries are read as Go reads them: domains (`example.com` with its subdomains,
 * `.example.com` subdomains only), IPs, CIDR ranges for IP-literal hosts, optional `:port`, and
 * `*` for everything (`parseNoProxy` in env-proxy.ts).
 * @module
 */
import type { Socket } from "node:net";
import { createSecureContext, rootCertificates, type TLSSocket } from "node:tls";
import type {
  buildConnector,
  Dispatcher,
  Client as UndiciClient,
  Pool as UndiciPool,
} from "undici";
import { goEnv, ProxyRouter, parseNoProxy } from "./env-proxy.js";
import type { ResolvedHttpOptions } from "./http-options.js";
import { Agent, Client, EnvHttpProxyAgent, Pool } from "./undici-lite.js";

type DispatcherOptions = Pick<
  ResolvedHttpOptions,
  "proxy" | "noProxy" | "ca" | "rejectUnauthorized"
>;

/** Concurrent requests per HTTP/2 connection (Node's and common servers' stream limit). */
export const H2_STREAMS_PER_CONNECTION = 100;

// undici keeps `pipelining` at 1 for every connection, so a pool opens one connection per
// in-flight request even after ALPN chose h2. Raise it for h2 connections only: HTTP/1.1
// pipelining would queue requests behind a held long poll.
/** What a pool learned about its origin: once one connection negotiated h2, new ones start wide. */
interface OriginProtocol {
  h2: boolean;
}

function h2AwareClient(origin: string | URL, opts: object, protocol: OriginProtocol): Dispatcher {
  const options = opts as UndiciClient.Options & { connect?: buildConnector.connector };
  const connect = options.connect;
  if (typeof connect !== "function") return new Client(origin, options);
  let h2 = false;
  const client = new Client(origin, {
    ...options,
    // Without this, a burst of requests on a cold pool opens one connection per request before
    // the first handshake says h2 (e.g. 150 connections for 250 concurrent polls).
    ...(protocol.h2 ? { pipelining: H2_STREAMS_PER_CONNECTION } : {}),
    connect: (connectOptions, callback) =>
      connect(connectOptions, (err, socket) => {
        if (err || !socket) {
          callback(err ?? new Error("connect failed"), null);
          return;
        }
        h2 = (socket as TLSSocket).alpnProtocol === "h2";
        protocol.h2 = h2;
        callback(null, socket as Socket);
      }),
  });
  client.on("connect", () => {
    const pipelining = h2 ? H2_STREAMS_PER_CONNECTION : 1;
    if (client.pipelining !== pipelining) client.pipelining = pipelining;
  });
  // undici can deliver a `drain` queued by an earlier resume after the connection filled up
  // again; the pool then takes the full connection for free and parks the next request behind
  // held long polls until one returns. Drop a drain while the connection is still full.
  const emit = client.emit.bind(client) as (event: string | symbol, ...args: unknown[]) => boolean;
  client.emit = (event: string | symbol, ...args: unknown[]) => {
    if (event === "drain" && client.stats.size >= client.pipelining) return false;
    return emit(event, ...args);
  };
  // A connection still handshaking counts as busy after one request, so a burst would open one
  // connection per request. Once the origin is known to speak h2, report room up to the stream
  // limit instead; the requests wait for the handshake on this connection.
  const dispatch = client.dispatch.bind(client);
  client.dispatch = (opts, handler) => {
    const accepted = dispatch(opts, handler);
    if (accepted || !protocol.h2 || client.stats.connected) return accepted;
    return client.stats.size < client.pipelining;
  };
  return client;
}

function h2AwarePool(origin: string | URL, opts: object): UndiciPool {
  const protocol: OriginProtocol = { h2: false };
  return new Pool(origin, {
    ...(opts as UndiciPool.Options),
    factory: (o, clientOpts) => h2AwareClient(o, clientOpts, protocol),
  });
}

const shared = new Map<string, Dispatcher>();

/**
 * The dispatcher shared by every client with these options (created on first use). Environment
 * proxy variables are part of the key, so changing them yields a new dispatcher.
 */
export function sharedDispatcher(options: DispatcherOptions): Dispatcher {
  const envProxy =
    options.proxy === undefined
      ? [goEnv("HTTP_PROXY"), goEnv("HTTPS_PROXY"), goEnv("NO_PROXY")]
      : [undefined, undefined, options.noProxy ?? goEnv("NO_PROXY")];
  const key = JSON.stringify([options.proxy, envProxy, options.ca, options.rejectUnauthorized]);
  let dispatcher = shared.get(key);
  if (!dispatcher) {
    dispatcher = createDispatcher(options);
    shared.set(key, dispatcher);
  }
  return dispatcher;
}

/**
 * Closes every shared dispatcher (for clean process shutdown and tests): requests in flight get
 * `graceMs` to finish, then are destroyed, so a stalled request cannot hold shutdown up.
 */
export async function closeSharedDispatchers(graceMs = 2000): Promise<void> {
  const all = [...shared.values()];
  shared.clear();
  await Promise.all(all.map((d) => closeWithin(d, graceMs)));
}

async function closeWithin(dispatcher: Dispatcher, graceMs: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(true), graceMs);
  });
  const closed = dispatcher.close().then(
    () => false,
    () => false,
  );
  try {
    if (!(await Promise.race([closed, timedOut]))) return;
    // An undici Agent forgets its pools when closing, so its destroy() would not reach them:
    // destroy the pools it made instead, which fails their requests still in flight.
    await Promise.all([...(poolsOf.get(dispatcher) ?? [])].map((pool) => pool.destroy()));
    await closed;
  } finally {
    clearTimeout(timer);
  }
}

/** The connection pools each dispatcher of ours created (one per origin it reached). */
const poolsOf = new WeakMap<Dispatcher, Set<UndiciPool>>();

/** A new dispatcher for the options (not shared). */
export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const pools = new Set<UndiciPool>();
  const dispatcher = buildDispatcher(options, pools);
  poolsOf.set(dispatcher, pools);
  return dispatcher;
}

function buildDispatcher(options: DispatcherOptions, pools: Set<UndiciPool>): Dispatcher {
  const tls = {
    rejectUnauthorized: options.rejectUnauthorized,
    // One secure context per dispatcher: passing `ca` would make every connection parse the
    // whole root store again (~1 MB per connection instead of ~40 KB).
    ...(options.ca.length > 0
      ? { secureContext: createSecureContext({ ca: [...rootCertificates, ...options.ca] }) }
      : {}),
  };
  const agentOptions = {
    allowH2: true,
    factory: (origin: string | URL, opts: object) => {
      // The agent closes a pool once its connections are gone and makes a new one later.
      for (const old of pools) if (old.destroyed) pools.delete(old);
      const pool = h2AwarePool(origin, opts);
      pools.add(pool);
      return pool;
    },
    connect: tls,
    requestTls: tls,
    proxyTls: tls,
    // The client's own per-attempt timeout (an AbortSignal) bounds every request.
    headersTimeout: 0,
    bodyTimeout: 0,
  };
  if (options.proxy === false) return new Agent(agentOptions);
  // undici's own NO_PROXY reading knows no IP or CIDR entries and falls back to HTTP_PROXY for
  // https; ProxyRouter decides instead, and `noProxy: ""` (not undefined) keeps undici from
  // reading the environment its own way.
  if (typeof options.proxy === "string") {
    const proxied = new EnvHttpProxyAgent({
      ...agentOptions,
      httpProxy: options.proxy,
      httpsProxy: options.proxy,
      noProxy: "",
    });
    return new ProxyRouter({
      direct: new Agent(agentOptions),
      http: proxied,
      https: proxied,
      noProxy: parseNoProxy(options.noProxy ?? goEnv("NO_PROXY") ?? ""),
    });
  }
  const httpProxy = goEnv("HTTP_PROXY");
  const httpsProxy = goEnv("HTTPS_PROXY");
  if (!httpProxy && !httpsProxy) return new Agent(agentOptions);
  const proxied = new EnvHttpProxyAgent({
    ...agentOptions,
    httpProxy: httpProxy ?? "",
    httpsProxy: httpsProxy ?? "",
    noProxy: "",
  });
  return new ProxyRouter({
    direct: new Agent(agentOptions),
    ...(httpProxy ? { http: proxied } : {}),
    ...(httpsProxy ? { https: proxied } : {}),
    noProxy: parseNoProxy(goEnv("NO_PROXY") ?? "", { loopback: true }),
  });
}
