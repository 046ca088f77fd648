/**
 * `scaleset run` serving two places of one emulator from one config file: scale sets of the
 * organization (top-level url and token, one shared client) and of an enterprise (an entry with
 * its own url and token). The emulator serves one organization, but any enterprise, so the
 * enterprise URL stands for "another organization".
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { configSecrets } from "../../src/daemon/client-factory.js";
import { loadConfig } from "../../src/daemon/config.js";
import { runDaemon } from "../../src/daemon/daemon.js";
import { createLogger } from "../../src/daemon/logger.js";
import { createFakeRunnerDir, type Emulator, startEmulator } from "../../src/emulator/index.js";
import { waitUntil } from "../helpers/fake-listener-client.js";

const TOKEN_A = "ghp_org_token_aaaaaaaaaa";
const TOKEN_B = "ghp_ent_token_bbbbbbbbbb";
const WRONG = "ghp_wrong_token_cccccccc";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** An emulator accepting both tokens, a fake runner dir, and a config file with three scale sets. */
async function setup(entToken: string) {
  const dir = await mkdtemp(join(tmpdir(), "scaleset-connections-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const recordFile = join(dir, "requests.jsonl");
  const emulator = await startEmulator({ longPollMs: 300, tokens: [TOKEN_A, TOKEN_B], recordFile });
  cleanups.push(() => emulator.close());
  const runnerDir = join(dir, "runner");
  await createFakeRunnerDir(runnerDir);
  const enterpriseUrl = `${emulator.url}/enterprises/acme`;
  const set = (name: string) => [`  - name: ${name}`, `    workDir: ${join(dir, "work", name)}`];
  const file = join(dir, "scaleset.yaml");
  await writeFile(
    file,
    [
      `url: ${emulator.configUrl}`,
      `token: ${TOKEN_A}`,
      "provider: process",
      `runnerDir: ${runnerDir}`,
      "maxRunners: 2",
      "metricsAddr: 127.0.0.1:0",
      "drainTimeout: 30s",
      "scaleSets:",
      ...set("org-one"),
      ...set("org-two"),
      ...set("ent"),
      `    url: ${enterpriseUrl}`,
      `    token: ${entToken}`,
    ].join("\n"),
  );
  const config = loadConfig({ flags: { config: file }, env: {} });
  const lines: string[] = [];
  const logger = createLogger({
    level: "debug",
    destination: { write: (line: string) => lines.push(line) },
    secrets: configSecrets(config),
  });
  const stop = new AbortController();
  let metricsUrl = "";
  const running = runDaemon({
    config,
    logger,
    signal: stop.signal,
    tuning: { pollIntervalMs: 200, stateDir: join(dir, "state") },
    onMetricsListening: (url) => {
      metricsUrl = url;
    },
  });
  cleanups.push(async () => {
    stop.abort();
    await running.catch(() => {});
  });
  return {
    emulator,
    enterpriseUrl,
    recordFile,
    lines,
    logger,
    stop,
    running,
    metrics: () => metricsUrl,
  };
}

function idOf(emulator: Emulator, name: string): number | undefined {
  return emulator.listScaleSets().find((s) => s.name === name)?.id;
}

describe("scaleset run with scale sets at two URLs with two tokens", () => {
  it("runs every scale set's jobs, with one client per connection and the entry's own token", async () => {
    const { emulator, enterpriseUrl, recordFile, lines, logger, stop, running, metrics } =
      await setup(TOKEN_B);
    await waitUntil(() => emulator.listSessions().length === 3, 20_000);

    const names = ["org-one", "org-two", "ent"];
    emulator.queueJobs(
      names.flatMap((name) =>
        Array.from({ length: 3 }, () => ({ labels: [name], durationMs: 100 })),
      ),
    );
    await waitUntil(() => emulator.listJobs().every((j) => j.state === "completed"), 30_000);
    for (const name of names) {
      const jobs = emulator.listJobs().filter((j) => j.labels.includes(name));
      expect(
        jobs.map((j) => [j.scaleSetId, j.result]),
        name,
      ).toEqual(Array(3).fill([idOf(emulator, name), "succeeded"]));
    }

    // The listeners go back to polling once the last completions are handled.
    const polling =
      'scaleset_session_state{enterprise="acme",organization="",repository="",name="ent",state="polling"} 1';
    const text = await waitUntil(async () => {
      const body = await (await fetch(`${metrics()}/metrics`)).text();
      return body.includes(polling) ? body : undefined;
    });
    expect(text).toContain(
      'gha_max_runners{enterprise="",organization="emulated-org",repository="",name="org-one",namespace=""} 2',
    );
    expect(text).toContain(
      'gha_max_runners{enterprise="acme",organization="",repository="",name="ent",namespace=""} 2',
    );
    expect(text).toContain(
      'scaleset_session_state{enterprise="acme",organization="",repository="",name="ent",state="polling"} 1',
    );
    const health = (await (await fetch(`${metrics()}/readyz`)).json()) as {
      scaleSets: Array<{ name: string; url: string }>;
    };
    expect(health.scaleSets.map((s) => [s.name, s.url])).toEqual([
      ["org-one", emulator.configUrl],
      ["org-two", emulator.configUrl],
      ["ent", enterpriseUrl],
    ]);

    // Every entry's token is scrubbed from the logs, wherever it turns up.
    logger.info({}, `probe ${TOKEN_A} ${TOKEN_B}`);
    stop.abort();
    await running;
    expect(emulator.listSessions()).toEqual([]);

    // One token exchange per connection: the two organization scale sets share a client.
    const requests = (await readFile(recordFile, "utf8"))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { operation: string | null; path: string; body: unknown });
    const exchanges = requests.filter((r) => r.operation === "getRegistrationToken");
    expect(exchanges.map((r) => r.path).sort()).toEqual([
      "/api/v3/enterprises/acme/actions/runners/registration-token",
      "/api/v3/orgs/emulated-org/actions/runners/registration-token",
    ]);
    const registered = requests
      .filter((r) => r.operation === "runnerRegistration")
      .map((r) => (r.body as { url: string }).url);
    expect(registered).toHaveLength(2);
    expect(new Set(registered)).toEqual(new Set([emulator.configUrl, enterpriseUrl]));

    // Log lines say which URL (the daemon serves two) and never show a token.
    const all = lines.join("");
    expect(all).toContain("probe [redacted] [redacted]");
    expect(all).not.toContain(TOKEN_A);
    expect(all).not.toContain(TOKEN_B);
    const entLines = lines
      .map((l) => JSON.parse(l) as { scaleSet?: string; url?: string })
      .filter((l) => l.scaleSet === "ent");
    expect(entLines.length).toBeGreaterThan(0);
    expect(new Set(entLines.map((l) => l.url))).toEqual(new Set([enterpriseUrl]));
  });

  it("uses the entry's own token, not the top-level one: a wrong one stops the daemon", async () => {
    const { running, lines } = await setup(WRONG);
    const err = (await running.then(
      () => undefined,
      (e: unknown) => e,
    )) as Error | undefined;
    expect(err?.message).toMatch(/401/);
    expect(err?.message).not.toContain(WRONG);
    expect(lines.join("")).not.toContain(WRONG);
    // The other scale sets' starts were stopped and settled before the connections closed.
    expect(lines.join("")).not.toMatch(/UND_ERR_CLOSED|client is closed/i);
  });
});
