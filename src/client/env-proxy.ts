/**
 * Go's environment proxy rules (`net/http.ProxyFromEnvironment`, golang.org/x/net/http/httpproxy):
 * `HTTP_PROXY` applies to http requests only and `HTTPS_PROXY` to https requests only (no fallback
 * from one to the other), upper-case names win over lower-case ones, an empty value counts as
 * unset, `NO_PROXY` entries are matched as Go matches them (see {@link parseNoProxy}), and
 * `localhost` and loopback addresses are never proxied.
 * @module
 */
import { BlockList, isIP } from "node:net";
import type { Dispatcher } from "undici";
import { Dispatcher as DispatcherBase } from "./undici-lite.js";

/** `NAME` or `name` from the environment, the first non-empty one (Go's `getEnvAny`). */
export function goEnv(upperName: string): string | undefined {
  return process.env[upperName] || process.env[upperName.toLowerCase()] || undefined;
}

/** True when a request to `url` goes direct instead of through the proxy. */
export type NoProxyMatcher = (url: URL) => boolean;

const DEFAULT_PORTS: Record<string, string> = { "http:": "80", "https:": "443" };

/** Go's `net.SplitHostPort`: `host:port` or `[host]:port`; undefined where Go errors. */
function splitHostPort(hostport: string): { host: string; port: string } | undefined {
  const colon = hostport.lastIndexOf(":");
  if (colon < 0) return undefined;
  let host: string;
  let after = 0;
  if (hostport.startsWith("[")) {
    const end = hostport.indexOf("]");
    if (end < 0 || end + 1 !== colon) return undefined;
    host = hostport.slice(1, end);
    after = end + 1;
  } else {
    host = hostport.slice(0, colon);
    if (host.includes(":")) return undefined;
  }
  if (hostport.indexOf("[", after === 0 ? 0 : 1) >= 0) return undefined;
  if (hostport.indexOf("]", after) >= 0) return undefined;
  return { host, port: hostport.slice(colon + 1) };
}

/** `4`/`6` for an IP literal as Go's `net.ParseIP` reads it (no zone), else 0. */
function ipFamily(host: string): 0 | 4 | 6 {
  if (host.includes("%")) return 0;
  return isIP(host) as 0 | 4 | 6;
}

/** Go's `net.ParseCIDR`: `ip/prefix` with a prefix within the address length. */
function parseCidr(entry: string): { ip: string; prefix: number; family: 4 | 6 } | undefined {
  const slash = entry.indexOf("/");
  if (slash < 0) return undefined;
  const ip = entry.slice(0, slash);
  const bits = entry.slice(slash + 1);
  const family = ipFamily(ip);
  if (family === 0 || !/^\d{1,3}$/.test(bits)) return undefined;
  const prefix = Number(bits);
  if (prefix > (family === 4 ? 32 : 128)) return undefined;
  return { ip, prefix, family };
}

const ipv = (family: 4 | 6) => (family === 4 ? "ipv4" : "ipv6");

/** Loopback as Go's `IP.IsLoopback` sees it: 127.0.0.0/8 and ::1 (and IPv4-mapped 127/8). */
const LOOPBACK = new BlockList();
LOOPBACK.addSubnet("127.0.0.0", 8, "ipv4");
LOOPBACK.addAddress("::1", "ipv6");

/**
 * Go's NO_PROXY rules (golang.org/x/net/http/httpproxy): comma-separated entries, trimmed and
 * case-insensitive. `*` matches every request. An entry that parses as CIDR (`10.0.0.0/8`,
 * `fd00::/8`) matches requests whose host is an IP literal inside it — host names are never
 * resolved for this. An IP entry (`10.1.2.3`, `::1`, optionally `10.1.2.3:8080` or
 * `[fd00::1]:8080`) matches that IP (any spelling of it) on any port, or on the given one. Any
 * other entry is a domain, optionally with `:port`: `example.com` matches `example.com` and its
 * subdomains, `.example.com` and `*.example.com` only its subdomains. A request's port is its
 * URL's, else 80 for http and 443 for https.
 * @param options.loopback Go's environment rule: `localhost` and loopback IPs never proxied.
 */
export function parseNoProxy(value: string, options: { loopback?: boolean } = {}): NoProxyMatcher {
  const loopback = options.loopback ?? false;
  /** Exact IPs and CIDR ranges, by the port they apply to ("" = any port). */
  const ips = new Map<string, BlockList>();
  const ipList = (port: string) => {
    let list = ips.get(port);
    if (!list) {
      list = new BlockList();
      ips.set(port, list);
    }
    return list;
  };
  const domains: { suffix: string; port: string; matchHost: boolean }[] = [];
  let all = false;
  for (const raw of value.split(",")) {
    const entry = raw.trim().toLowerCase();
    if (entry === "") continue;
    if (entry === "*") {
      all = true;
      break;
    }
    const cidr = parseCidr(entry);
    if (cidr) {
      ipList("").addSubnet(cidr.ip, cidr.prefix, ipv(cidr.family));
      continue;
    }
    const split = splitHostPort(entry);
    if (split && split.host === "") continue;
    const host = split ? split.host : entry;
    const port = split ? split.port : "";
    const family = ipFamily(host);
    if (family !== 0) {
      ipList(port).addAddress(host, ipv(family));
      continue;
    }
    let suffix = host.startsWith("*.") ? host.slice(1) : host;
    const matchHost = !suffix.startsWith(".");
    if (matchHost) suffix = `.${suffix}`;
    suffix = toAscii(suffix);
    domains.push({ suffix, port, matchHost });
  }
  return (url) => {
    const bracketed = url.hostname.startsWith("[");
    const host = bracketed ? url.hostname.slice(1, -1) : url.hostname;
    const port = url.port || DEFAULT_PORTS[url.protocol] || "";
    const family = ipFamily(host);
    if (loopback) {
      if (host === "localhost") return true;
      if (family !== 0 && LOOPBACK.check(host, ipv(family))) return true;
    }
    if (all) return true;
    if (family !== 0) {
      if (ips.get("")?.check(host, ipv(family))) return true;
      if (port !== "" && ips.get(port)?.check(host, ipv(family))) return true;
    }
    for (const d of domains) {
      if (host.endsWith(d.suffix) || (d.matchHost && host === d.suffix.slice(1)))
        if (d.port === "" || d.port === port) return true;
    }
    return false;
  };
}

/** A domain suffix in ASCII (punycode), as request host names are (Go's `idnaASCII`). */
function toAscii(suffix: string): string {
  if (/^\p{ASCII}*$/u.test(suffix)) return suffix;
  try {
    return `.${new URL(`http://${suffix.slice(1)}`).hostname}`;
  } catch {
    return suffix;
  }
}

/** Where {@link ProxyRouter} sends requests. */
export interface ProxyRoutes {
  /** Requests that are not proxied. */
  direct: Dispatcher;
  /** Proxy for http requests; none: they go direct. */
  http?: Dispatcher;
  /** Proxy for https requests; none: they go direct (Go does not fall back to the http one). */
  https?: Dispatcher;
  /** Requests it matches go direct. */
  noProxy: NoProxyMatcher;
}

/** Origins whose route is remembered; a client talks to a handful. */
const MAX_REMEMBERED_ORIGINS = 256;

/**
 * Routes each request by its origin: https through `https`, http through `http`, and direct when
 * that proxy is missing or `noProxy` matches. Replaces undici's `EnvHttpProxyAgent` routing, which
 * falls back to `HTTP_PROXY` for https and knows no CIDR or IP entries in NO_PROXY.
 */
export class ProxyRouter extends DispatcherBase {
  readonly #routes: ProxyRoutes;
  readonly #byOrigin = new Map<string, Dispatcher>();

  constructor(routes: ProxyRoutes) {
    super();
    this.#routes = routes;
  }

  override dispatch(
    options: Dispatcher.DispatchOptions,
    handler: Dispatcher.DispatchHandler,
  ): boolean {
    return this.#route(String(options.origin ?? "")).dispatch(options, handler);
  }

  #route(origin: string): Dispatcher {
    let target = this.#byOrigin.get(origin);
    if (target) return target;
    const { direct, http, https, noProxy } = this.#routes;
    target = direct;
    let url: URL | undefined;
    try {
      url = new URL(origin);
    } catch {
      // undici rejects the request itself.
    }
    const proxy = url?.protocol === "https:" ? https : url?.protocol === "http:" ? http : undefined;
    if (url && proxy && !noProxy(url)) target = proxy;
    if (this.#byOrigin.size >= MAX_REMEMBERED_ORIGINS) this.#byOrigin.clear();
    this.#byOrigin.set(origin, target);
    return target;
  }

  #all(): Dispatcher[] {
    const { direct, http, https } = this.#routes;
    return [...new Set([direct, http, https])].filter((d) => d !== undefined);
  }

  override close(): Promise<void>;
  override close(callback: () => void): void;
  override close(callback?: () => void): Promise<void> | undefined {
    return settle(Promise.all(this.#all().map((d) => d.close())), callback);
  }

  override destroy(): Promise<void>;
  override destroy(err: Error | null): Promise<void>;
  override destroy(callback: () => void): void;
  override destroy(err: Error | null, callback: () => void): void;
  override destroy(
    errOrCallback?: Error | null | (() => void),
    callback?: () => void,
  ): Promise<void> | undefined {
    const err = typeof errOrCallback === "function" ? null : (errOrCallback ?? null);
    const cb = typeof errOrCallback === "function" ? errOrCallback : callback;
    return settle(Promise.all(this.#all().map((d) => d.destroy(err))), cb);
  }
}

function settle(all: Promise<unknown>, callback?: () => void): Promise<void> | undefined {
  const done = all.then(() => undefined);
  if (!callback) return done;
  done.then(callback, callback);
  return undefined;
}
