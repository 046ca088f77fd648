import { connect } from "node:http2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "../../src/emulator/index.js";

describe("emulator over TLS", () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator({ tls: true, longPollMs: 100 });
  });
  afterAll(() => emu.close());

  it("serves https with a self-signed certificate and multiplexes long polls over one HTTP/2 connection", async () => {
    expect(emu.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(emu.caPem).toContain("BEGIN CERTIFICATE");
    const session = connect(emu.url, { ca: emu.caPem ?? "" });
    try {
      const request = (path: string, headers: Record<string, string> = {}) =>
        new Promise<{ status: number; body: string }>((resolve, reject) => {
          const stream = session.request({ ":path": path, ":method": "POST", ...headers });
          let body = "";
          let status = 0;
          stream.on("response", (h) => {
            status = Number(h[":status"]);
          });
          stream.on("data", (d: Buffer) => {
            body += d.toString();
          });
          stream.on("end", () => resolve({ status, body }));
          stream.on("error", reject);
          stream.end();
        });
      const results = await Promise.all(
        Array.from({ length: 20 }, () =>
          request("/api/v3/orgs/emulated-org/actions/runners/registration-token", {
            authorization: `Bearer ${emu.token}`,
          }),
        ),
      );
      expect(results.map((r) => r.status)).toEqual(Array(20).fill(201));
      expect(session.alpnProtocol).toBe("h2");
    } finally {
      session.close();
    }
  });

  it("resets only the HTTP/2 stream under a reset fault; the connection keeps serving", async () => {
    const session = connect(emu.url, { ca: emu.caPem ?? "" });
    try {
      const get = () =>
        new Promise<string>((resolve) => {
          const stream = session.request({ ":path": "/_control", ":method": "GET" });
          stream.on("response", (h) => resolve(`status ${h[":status"]}`));
          stream.on("error", (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
          stream.on("close", () => resolve(`closed ${stream.rstCode}`));
          stream.end();
        });
      expect(await get()).toBe("status 200");
      emu.addFault({ operation: "getRegistrationToken", kind: "reset" });
      const reset = await new Promise<string>((resolve) => {
        const stream = session.request({
          ":path": "/api/v3/orgs/emulated-org/actions/runners/registration-token",
          ":method": "POST",
          authorization: `Bearer ${emu.token}`,
        });
        stream.on("response", (h) => resolve(`status ${h[":status"]}`));
        stream.on("error", (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
        stream.on("close", () => resolve(`closed ${stream.rstCode}`));
        stream.end();
      });
      expect(reset).toMatch(/ERR_HTTP2_STREAM_ERROR|closed 2/);
      expect(await get()).toBe("status 200");
    } finally {
      session.close();
    }
  });

  it("still answers HTTP/1.1 clients that trust the certificate", async () => {
    const { request } = await import("node:https");
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const req = request(emu.controlUrl, { ca: emu.caPem ?? "" }, (res) => {
        res.resume();
        resolve(res.statusCode);
      });
      req.on("error", reject);
      req.end();
    });
    expect(status).toBe(200);
  });
});
