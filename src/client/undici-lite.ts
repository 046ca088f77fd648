/**
 * The parts of undici the client uses, loaded from their own modules. undici's index also loads
 * fetch, WebSocket, EventSource, caches, mocks and interceptors: about 9 MB of RSS and 3 MB of
 * heap per process that a process of many idle listeners pays for nothing (see `bench/`). The
 * paths are those of the pinned undici 7; `undici-lite.test.ts` checks they resolve and that
 * these are the classes undici itself exports.
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

type RequestOptions = Undici.Dispatcher.RequestOptions;
type ResponseData = Undici.Dispatcher.ResponseData;
const apiRequest: (this: Undici.Dispatcher, options: RequestOptions) => Promise<ResponseData> =
  load("undici/lib/api/api-request.js");

/**
 * `dispatcher.request(options)` for any dispatcher: one with its own `request` (a caller's undici
 * instance) uses it; ours, built from the modules above, get undici's own implementation.
 */
export function requestVia(
  dispatcher: Undici.Dispatcher,
  options: RequestOptions,
): Promise<ResponseData> {
  return typeof dispatcher.request === "function"
    ? dispatcher.request(options)
    : apiRequest.call(dispatcher, options);
}
