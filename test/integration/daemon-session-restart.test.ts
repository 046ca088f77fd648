/**
 * `scaleset run` restarted after a crash: the session id its previous run saved lets it delete
 * that session and listen at once, instead of waiting for the service to expire it (2 minutes in
 * the emulator by default).
 */
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ScaleSetClient } from "../../src/client/index.js";
import { runDaemon } from "../../src/daemon/daemon.js";
import { sessionIdStore, sessionStatePath } from "../../src/daemon/session-store.js";
import { createFakeRunnerDir, startEmulator } from "../../src/emulator/index.js";
import { processDaemonConfig } from "../helpers/daemon-config.js";
import { waitUntil } from "../helpers/fake-listener-client.js";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe("scaleset run after a crash that left its session open", () => {
  it("deletes the session id its previous run saved, listens at once, and removes the state file on a clean stop", async () => {
    const dir = await mkdtemp(join(tmpdir(), "scaleset-session-restart-"));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const recordFile = join(dir, "requests.jsonl");
    const emulator = await startEmulator({ longPollMs: 300, recordFile });
    cleanups.push(() => emulator.close());
    const runnerDir = join(dir, "runner");
    await createFakeRunnerDir(runnerDir);
    const stateDir = join(dir, "state");

    // The crashed run: it had the scale set, opened a session and saved its id.
    const client = ScaleSetClient.withToken({
      configUrl: emulator.configUrl,
      token: emulator.token,
    });
    const set = await client.createRunnerScaleSet({
      name: "phoenix",
      runnerGroupId: 1,
      labels: [{ name: "phoenix" }],
    });
    const stale = (await client.createMessageSession(set.id, "crashed-run")).session.sessionId;
    const statePath = sessionStatePath(emulator.configUrl, "phoenix", stateDir);
    await sessionIdStore(statePath).saveSessionId?.(set.id, stale);

    const config = processDaemonConfig({
      emulator,
      name: "phoenix",
      labels: ["phoenix"],
      runnerDir,
      workDir: join(dir, "work"),
    });
    const stop = new AbortController();
    const running = runDaemon({
      config,
      logger: { debug() {}, info() {}, warn() {}, error() {} },
      signal: stop.signal,
      tuning: { pollIntervalMs: 200, stateDir },
    });
    cleanups.push(async () => {
      stop.abort();
      await running.catch(() => {});
    });

    const live = await waitUntil(
      () => emulator.listSessions().find((s) => s.sessionId !== stale),
      20_000,
    );
    // Saved right after the create (the file went away in between, when the stale id was cleared).
    const saved = await waitUntil(() =>
      readFile(statePath, "utf8").then(
        (text) => JSON.parse(text) as Record<string, unknown>,
        () => undefined,
      ),
    );
    expect(saved).toEqual({ lastMessageIds: {}, sessionIds: { [String(set.id)]: live.sessionId } });

    const sessionOps = await waitUntil(async () => {
      const lines = (await readFile(recordFile, "utf8")).split("\n").filter(Boolean);
      const ops = lines
        .map((l) => JSON.parse(l) as { operation: string; status: number; path: string })
        .filter(
          (r) => r.operation === "createMessageSession" || r.operation === "deleteMessageSession",
        )
        .map((r) => `${r.operation} ${r.status}${r.path.endsWith(stale) ? " stale" : ""}`);
      return ops.length >= 3 && ops;
    });
    expect(sessionOps).toEqual([
      "createMessageSession 200", // the crashed run's
      "deleteMessageSession 204 stale",
      "createMessageSession 200",
    ]);

    stop.abort();
    await running;
    expect(emulator.listSessions()).toEqual([]);
    expect(await readdir(stateDir)).toEqual([]);
  });
});
