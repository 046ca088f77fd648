/**
 * Fault injection: each request's operation (and scale set) is matched against the registered
 * faults; the first match with budget left changes how the request is answered.
 * @module
 */
import { constants as h2 } from "node:http2";
import type { Context } from "hono";
import { sleep } from "../util/sleep.js";
import { defaultException, githubError, qualifyException, serviceError } from "./service-errors.js";
import type { FaultSpec, Operation } from "./types.js";
import { Waiters } from "./waiters.js";

const REST_OPERATIONS = new Set<string>([
  "getRegistrationToken",
  "getInstallationToken",
  "runnerRegistration",
]);
const MAX_HOLD_MS = 2_147_483_647;

interface ActiveFault {
  id: string;
  spec: FaultSpec;
  remaining: number;
  until: number;
}

/** The registered faults and the stalled requests waiting for the emulator to close. */
export class FaultRegistry {
  private faults: ActiveFault[] = [];
  private nextId = 1;
  readonly stalls = new Waiters();

  /** Registers a fault; returns its id. */
  add(spec: FaultSpec): string {
    const id = `fault-${this.nextId++}`;
    const remaining = spec.count ?? (spec.forMs !== undefined ? Number.POSITIVE_INFINITY : 1);
    const until = spec.forMs !== undefined ? Date.now() + spec.forMs : Number.POSITIVE_INFINITY;
    this.faults.push({ id, spec: { ...spec }, remaining, until });
    return id;
  }

  /** Removes one fault; true when it existed. */
  remove(id: string): boolean {
    const before = this.faults.length;
    this.faults = this.faults.filter((f) => f.id !== id);
    return before !== this.faults.length;
  }

  clear(): void {
    this.faults = [];
  }

  /** Active faults with their remaining budget. */
  list(): (FaultSpec & { id: string; remaining: number | null })[] {
    this.prune();
    return this.faults.map((f) => ({
      ...f.spec,
      id: f.id,
      remaining: Number.isFinite(f.remaining) ? f.remaining : null,
    }));
  }

  /** Consumes and returns the first fault matching this request, if any. */
  take(operation: Operation, scaleSetId: number | undefined): FaultSpec | undefined {
    if (this.faults.length === 0) return undefined;
    this.prune();
    for (const f of this.faults) {
      if (f.spec.operation !== "*" && f.spec.operation !== operation) continue;
      if (f.spec.scaleSetId !== undefined && f.spec.scaleSetId !== scaleSetId) continue;
      f.remaining--;
      if (f.remaining <= 0) this.faults = this.faults.filter((x) => x !== f);
      return f.spec;
    }
    return undefined;
  }

  private prune(): void {
    const now = Date.now();
    this.faults = this.faults.filter((f) => f.remaining > 0 && f.until > now);
  }
}

/** Answers a request under `fault`; `handler` produces the normal answer where one is needed. */
export async function applyFault(
  c: Context,
  registry: FaultRegistry,
  operation: Operation,
  fault: FaultSpec,
  handler: () => Promise<Response>,
): Promise<Response> {
  const signal = c.req.raw.signal;
  switch (fault.kind) {
    case "status": {
      const status = fault.status ?? 500;
      const headers: Record<string, string> = {};
      if (fault.retryAfter !== undefined) headers["retry-after"] = fault.retryAfter;
      const message = fault.message ?? `Injected fault: ${status} on ${operation}.`;
      if (REST_OPERATIONS.has(operation)) {
        const res = githubError(status, message);
        for (const [k, v] of Object.entries(headers)) res.headers.set(k, v);
        return res;
      }
      const typeName = fault.exception
        ? qualifyException(fault.exception)
        : defaultException(status);
      return serviceError(c, status, typeName, message, headers);
    }
    case "delay":
      await sleep(fault.delayMs ?? 1000, { signal }).catch(() => undefined);
      return handler();
    case "stall":
      await registry.stalls.wait(MAX_HOLD_MS, signal);
      return new Response(null, { status: 504 });
    case "empty":
      return new Response("", { status: 200, headers: { "content-type": "application/json" } });
    case "truncated": {
      const text = await (await handler()).text();
      const cut = text.slice(0, Math.max(1, Math.floor(text.length / 2)));
      return new Response(cut, { status: 200, headers: { "content-type": "application/json" } });
    }
    case "bom": {
      const res = await handler();
      const text = await res.text();
      return new Response(`\uFEFF${text}`, { status: res.status, headers: res.headers });
    }
    case "reset":
      resetConnection(c);
      return new Response(null, { status: 500 });
  }
}

/** Drops the connection (HTTP/1.1) or resets the stream (HTTP/2) under the request. */
function resetConnection(c: Context): void {
  const env = c.env as {
    incoming?: { socket?: { destroy(): void }; stream?: { close(code: number): void } };
  };
  const incoming = env.incoming;
  if (incoming?.stream) incoming.stream.close(h2.NGHTTP2_INTERNAL_ERROR);
  else incoming?.socket?.destroy();
}
