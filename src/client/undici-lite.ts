/**
 * The parts of undici the client uses, loaded from their own modules. undici's index also loads
 * fetch, WebSocket, EventSource, caches, mocks and interceptors: about 9 MB of RSS and 3 MB of
 * heap per process that a process of many idle listeners pays for nothing (see `bench/`). The
 * paths are those of the pinned undici 7; `undici-lite.test.ts` checks they resolve, that these
 * are the classes undici itself exports, and that they can send requests without its index.
 * @module
 */
import { createRequire } from "node:module";
import type * as Undici from "undici";

const load = createRequire(import.meta.url);

export const Agent: typeof Undici.Agent = load("undici/lib/dispatcher/agent.js");
export const Client: typeof Undici.Client = load("undici/lib/dispatcher/client.js");
export const Dispatcher: typeof Undici.Dispatcher = load("undici/lib/dispatcher/dispatcher.js");
export const EnvHttpProxyAgent: typeof Undici.EnvHttpProxyAgent = load(
  "undici/lib/dispatcher/env-http-proxy-agent.js",
);
export const Pool: typeof Undici.Pool = load("undici/lib/dispatcher/pool.js");

// What undici's index does too: `request`, `connect` (which ProxyAgent's CONNECT tunnels use)
// and the other API methods live on Dispatcher.prototype.
Object.assign(Dispatcher.prototype, load("undici/lib/api/index.js"));
