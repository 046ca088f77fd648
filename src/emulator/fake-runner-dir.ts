/**
 * `createFakeRunnerDir(dir)`: a runner directory whose `run.sh` launches the fake runner, so it
 * can stand in for the official runner tarball (`run.sh --jitconfig <blob>` or
 * `ACTIONS_RUNNER_INPUT_JITCONFIG`).
 * @module
 */
import { existsSync } from "node:fs";
import { chmod, mkdir, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * The command that starts the fake runner: `dist/emulator/fake-runner/main.js` when this code
 * runs from dist, else `node --import tsx src/emulator/fake-runner/main.ts` (tests run from src).
 */
export function fakeRunnerCommand(): string[] {
  const here = dirname(fileURLToPath(import.meta.url));
  const compiled = join(here, "fake-runner", "main.js");
  if (existsSync(compiled)) return [process.execPath, compiled];
  const repo = resolve(here, "..", "..");
  const tsx = pathToFileURL(join(repo, "node_modules", "tsx", "dist", "loader.mjs")).href;
  return [process.execPath, "--import", tsx, join(here, "fake-runner", "main.ts")];
}

/**
 * Writes `dir/run.sh` (executable) that runs the fake runner with the arguments and environment
 * it is given. Returns the path of `run.sh`.
 */
export async function createFakeRunnerDir(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const command = fakeRunnerCommand().map(shellQuote).join(" ");
  const script = `#!/bin/sh\n# Fake GitHub Actions runner (scaleset emulator). Accepts --jitconfig <blob> or ACTIONS_RUNNER_INPUT_JITCONFIG.\nexec ${command} "$@"\n`;
  const runSh = join(dir, "run.sh");
  await writeFile(runSh, script, { mode: 0o755 });
  await chmod(runSh, 0o755);
  return runSh;
}
