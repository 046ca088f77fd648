import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { closeSharedDispatchers, sharedDispatcher } from "../../src/client/http-dispatcher.js";
import { resolveHttpOptions } from "../../src/client/http-options.js";

let server: Server | undefined;
afterEach(() => {
  server?.closeAllConnections();
  server?.close();
});

describe("closeSharedDispatchers", () => {
  it("does not wait for a stalled request past its grace: the request is destroyed", async () => {
    let arrived = () => {};
    const seen = new Promise<void>((r) => {
      arrived = r;
    });
    server = createServer(() => arrived()); // never answers
    await new Promise<void>((r) => server?.listen(0, "127.0.0.1", r));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const dispatcher = sharedDispatcher(resolveHttpOptions({}));
    const stalled = dispatcher.request({ origin, path: "/", method: "GET" });
    const outcome = stalled.then(
      () => "answered",
      (err: Error) => err.name,
    );
    await seen;
    await closeSharedDispatchers(50);
    expect(await outcome).toMatch(/Destroyed|Closed|Abort/i);
  });
});
