/**
 * The scenarios both drivers run, in order. Names match the Go driver's (`compat --list`).
 * @module
 */
import { appAuth, patAuth } from "./auth.js";
import { adminRefresh, nameEncoding, queueErrors, retry } from "./extra.js";
import { listenerLifecycle } from "./listener-lifecycle.js";
import { productListenerLifecycle } from "./product-listener.js";
import { runners } from "./runners.js";
import { scaleSetCrud } from "./scale-set-crud.js";
import { session } from "./session.js";
import type { ScenarioDefinition } from "./types.js";

export type { ScenarioContext, ScenarioDefinition, ScenarioDetails } from "./types.js";

/** Every scenario, each run against a fresh emulator by each driver. */
export const SCENARIOS: ScenarioDefinition[] = [
  { name: "pat-auth", mode: "ghes", comparison: "strict", timeoutMs: 30_000, run: patAuth },
  { name: "app-auth", mode: "ghes", comparison: "strict", timeoutMs: 30_000, run: appAuth },
  {
    name: "scale-set-crud",
    mode: "ghes",
    comparison: "strict",
    timeoutMs: 30_000,
    run: scaleSetCrud,
  },
  { name: "runners", mode: "ghes", comparison: "strict", timeoutMs: 30_000, run: runners },
  {
    name: "name-encoding",
    mode: "ghes",
    comparison: "strict",
    timeoutMs: 30_000,
    run: nameEncoding,
  },
  { name: "retry", mode: "ghes", comparison: "strict", timeoutMs: 30_000, run: retry },
  {
    name: "admin-refresh",
    mode: "ghes",
    // Shorter than the 60 s refresh margin: every request re-runs the exchange (spec §2.5).
    emulator: { adminTokenTtlMs: 30_000 },
    comparison: "strict",
    timeoutMs: 30_000,
    run: adminRefresh,
  },
  {
    name: "queue-errors",
    mode: "ghes",
    comparison: "strict",
    timeoutMs: 60_000,
    run: queueErrors,
  },
  { name: "session", mode: "ghes", comparison: "strict", timeoutMs: 60_000, run: session },
  {
    name: "session-tls",
    mode: "ghes",
    // https + HTTP/2 via ALPN with the emulator's self-signed certificate.
    emulator: { tls: true },
    comparison: "strict",
    timeoutMs: 60_000,
    run: session,
  },
  {
    name: "listener-lifecycle",
    mode: "github",
    comparison: "loose",
    timeoutMs: 120_000,
    run: listenerLifecycle,
  },
  {
    name: "listener-lifecycle-ghes",
    mode: "ghes",
    comparison: "loose",
    timeoutMs: 120_000,
    run: listenerLifecycle,
  },
  {
    name: "listener-product",
    description: "our Listener (src/listener, ack after handling) + fake runners",
    mode: "github",
    comparison: "loose",
    timeoutMs: 120_000,
    run: productListenerLifecycle,
  },
];
