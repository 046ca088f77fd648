import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { runDemo } from "../../src/daemon/demo.js";
import { createLogger } from "../../src/daemon/logger.js";

function memory(): { stream: Writable; text: () => string } {
  let text = "";
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream, text: () => text };
}

describe("scaleset demo", () => {
  it("completes every job, leaves nothing behind, and logs none of its secrets", async () => {
    const out = memory();
    const logs: string[] = [];
    const logger = createLogger({
      level: "debug",
      destination: { write: (line: string) => logs.push(line) },
    });
    const result = await runDemo({ jobs: 8, maxRunners: 4, out: out.stream, tty: false, logger });
    expect(result).toMatchObject({ jobs: 8, succeeded: 8, leftovers: 0 });
    expect(result.runnersStarted).toBeGreaterThanOrEqual(2);
    expect(result.queueToStartMs?.median).toBeGreaterThan(0);
    expect(out.text()).toMatch(/done=8\/8/);
    const all = logs.join("") + out.text();
    expect(logs.length).toBeGreaterThan(10);
    for (const secret of result.secrets) expect(all).not.toContain(secret);
    // Admin/queue tokens are JWTs and JIT configs base64 JSON: both start with "eyJ".
    expect(all).not.toContain("eyJ");
  });
});
