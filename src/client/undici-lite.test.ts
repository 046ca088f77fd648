import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import * as undici from "undici";
import { describe, expect, it } from "vitest";
import { Agent, Client, Dispatcher, EnvHttpProxyAgent, Pool, requestVia } from "./undici-lite.js";

describe("undici-lite", () => {
  it("loads the very classes undici exports (same modules, not copies)", () => {
    expect(Agent).toBe(undici.Agent);
    expect(Client).toBe(undici.Client);
    expect(Dispatcher).toBe(undici.Dispatcher);
    expect(EnvHttpProxyAgent).toBe(undici.EnvHttpProxyAgent);
    expect(Pool).toBe(undici.Pool);
  });

  it("sends a request through a dispatcher with or without its own request method", async () => {
    const server = createServer((req, res) => res.end(`${req.method} ${req.url}`));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const agent = new Agent();
    try {
      const plain = { dispatch: agent.dispatch.bind(agent) } as unknown as undici.Dispatcher;
      for (const dispatcher of [agent, plain]) {
        const res = await requestVia(dispatcher, { origin, path: "/x?y=1", method: "GET" });
        expect(res.statusCode).toBe(200);
        expect(await res.body.text()).toBe("GET /x?y=1");
      }
    } finally {
      await agent.close();
      server.close();
    }
  });
});
