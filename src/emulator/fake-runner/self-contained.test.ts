import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { decodeJitConfig } from "./jit.js";

const here = import.meta.dirname;

describe("fake runner folder", () => {
  it("imports only Node builtins and files inside the folder, so dist/emulator/fake-runner is self-contained", async () => {
    const files = (await readdir(here)).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const text = await readFile(join(here, file), "utf8");
      const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*"([^"]+)"/g)].map(
        (m) => m[1] ?? "",
      );
      for (const spec of specifiers) {
        const ok = spec.startsWith("node:") || (spec.startsWith("./") && !spec.includes("/", 2));
        expect(ok, `${file} imports ${spec}`).toBe(true);
      }
    }
  });

  it("decodes a blob like the runner: base64 JSON of base64 JSON files, keys case-insensitive", () => {
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64");
    const blob = b64({
      ".runner": b64({ AgentId: 7, AgentName: "r-7", ServerUrlV2: "http://127.0.0.1:1/_agent" }),
      ".credentials": b64({ scheme: "OAuth", data: {} }),
      ".credentials_rsaparams": b64({ d: "c2VjcmV0" }),
    });
    expect(decodeJitConfig(blob)).toEqual({
      agentId: 7,
      agentName: "r-7",
      agentUrl: "http://127.0.0.1:1/_agent/",
      secret: "c2VjcmV0",
    });
    expect(() => decodeJitConfig("bm90IGpzb24=")).toThrow(/not base64-encoded JSON/);
    expect(() => decodeJitConfig(b64({ ".runner": b64({}) }))).toThrow(
      /\.credentials_rsaparams file is missing/,
    );
  });
});
