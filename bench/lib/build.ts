/**
 * Builds what the benchmarks run: the Go reference binary (`bench/go` → `bench/out/bin/benchgo`)
 * and our agent compiled to plain JavaScript (`bench/out/js`), so our side runs as it would in
 * production (no tsx loader, no esbuild service in the measured process).
 */
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** Repository root. */
export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** Scratch output of the benchmarks (git-ignored). */
export const OUT_DIR = join(ROOT, "bench", "out");
/** The Go reference binary. */
export const GO_BIN = join(OUT_DIR, "bin", "benchgo");
/** Our agent, compiled. */
export const AGENT_JS = join(OUT_DIR, "js", "bench", "lib", "agent.js");

/** Builds both sides; throws with the compiler output on failure. */
export function buildAll(): void {
  mkdirSync(join(OUT_DIR, "bin"), { recursive: true });
  execFileSync("go", ["build", "-o", GO_BIN, "./cmd/benchgo"], {
    cwd: join(ROOT, "bench", "go"),
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, GOFLAGS: "-mod=mod" },
  });
  execFileSync(
    join(ROOT, "node_modules", ".bin", "tsc"),
    [
      "--outDir",
      join(OUT_DIR, "js"),
      "--rootDir",
      ROOT,
      "--module",
      "nodenext",
      "--moduleResolution",
      "nodenext",
      "--target",
      "es2023",
      "--types",
      "node",
      "--skipLibCheck",
      "--noCheck",
      "--ignoreConfig",
      join(ROOT, "bench", "lib", "agent.ts"),
    ],
    { cwd: ROOT, stdio: ["ignore", "inherit", "inherit"] },
  );
}
