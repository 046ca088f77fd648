import { execFileSync } from "node:child_process";
import * as undici from "undici";
import { describe, expect, it } from "vitest";
import { Agent, Client, Dispatcher, EnvHttpProxyAgent, Pool } from "./undici-lite.js";

describe("undici-lite", () => {
  it("loads the very classes undici exports (same modules, not copies)", () => {
    expect(Agent).toBe(undici.Agent);
    expect(Client).toBe(undici.Client);
    expect(Dispatcher).toBe(undici.Dispatcher);
    expect(EnvHttpProxyAgent).toBe(undici.EnvHttpProxyAgent);
    expect(Pool).toBe(undici.Pool);
  });

  it("gives dispatchers request and connect without undici's index being loaded", () => {
    // A fresh process: this test file itself imports undici's index.
    const script = `
      const { createServer } = require("node:http");
      const lite = require(${JSON.stringify(require.resolve("tsx/cjs"))}) && require("./src/client/undici-lite.ts");
      const loaded = () => Object.keys(require.cache).some((f) => /undici[\\\\/]index\\.js$/.test(f));
      const server = createServer((req, res) => res.end(req.method + " " + req.url));
      server.listen(0, "127.0.0.1", async () => {
        const agent = new lite.Agent();
        const res = await agent.request({ origin: "http://127.0.0.1:" + server.address().port, path: "/x?y=1", method: "GET" });
        const text = await res.body.text();
        console.log(JSON.stringify({ status: res.statusCode, text, connect: typeof agent.connect, index: loaded() }));
        await agent.close();
        server.close();
      });`;
    const out = execFileSync(process.execPath, ["-e", script], { encoding: "utf8" });
    expect(JSON.parse(out)).toEqual({
      status: 200,
      text: "GET /x?y=1",
      connect: "function",
      index: false,
    });
  });
});
