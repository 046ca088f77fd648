import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ProcessProvider } from "../../src/providers/process/index.js";

const CA_VARS = ["NODE_EXTRA_CA_CERTS", "SSL_CERT_FILE", "SSL_CERT_DIR"] as const;
let root: string;
const saved: Record<string, string | undefined> = {};

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "scaleset-process-ca-env-"));
  for (const key of CA_VARS) saved[key] = process.env[key];
});
afterAll(async () => {
  for (const key of CA_VARS) {
    if (saved[key] === undefined) delete process.env[key];
    else process.env[key] = saved[key];
  }
  await rm(root, { recursive: true, force: true });
});

describe("process provider environment", () => {
  it("passes the daemon's CA settings on, so runners trust what the daemon trusts (a TLS emulator, a private CA)", async () => {
    const runnerDir = join(root, "runner");
    const out = join(root, "env.txt");
    await mkdir(runnerDir);
    await writeFile(
      join(runnerDir, "run.sh"),
      `#!/bin/sh\nenv > "${out}.tmp" && mv "${out}.tmp" "${out}"\n`,
    );
    await chmod(join(runnerDir, "run.sh"), 0o755);
    process.env["NODE_EXTRA_CA_CERTS"] = "/etc/scaleset/extra-ca.pem";
    process.env["SSL_CERT_FILE"] = "/etc/scaleset/bundle.pem";
    process.env["SSL_CERT_DIR"] = "/etc/scaleset/certs";
    const provider = new ProcessProvider({ runnerDir, workDir: join(root, "work") });
    await provider.start({ name: "ca-env-1", jitConfig: "e30=", scaleSetId: 7, labels: [] });
    let env = "";
    for (let i = 0; i < 200 && env === ""; i++) {
      env = await readFile(out, "utf8").catch(() => "");
      if (env === "") await new Promise((r) => setTimeout(r, 25));
    }
    await provider.remove("ca-env-1");
    const lines = env.split("\n");
    expect(lines).toContain("NODE_EXTRA_CA_CERTS=/etc/scaleset/extra-ca.pem");
    expect(lines).toContain("SSL_CERT_FILE=/etc/scaleset/bundle.pem");
    expect(lines).toContain("SSL_CERT_DIR=/etc/scaleset/certs");
  });
});
