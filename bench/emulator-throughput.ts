/**
 * Emulator throughput: GetMessage/DeleteMessage round trips per second with 100 concurrent
 * sessions, and 1 000 concurrent long polls. The emulator runs in this process; the load
 * generator (plain fetch) runs in a child process so both cores work.
 *
 *   node --import tsx bench/emulator-throughput.ts [--sessions 100] [--seconds 10] [--polls 1000]
 *
 * Message source: a feeder in the emulator process keeps every scale set's queue stocked with
 * one JobAssigned job message per outer message, so each round trip is a 200 GetMessage with a
 * real message body plus a 204 DeleteMessage (the job engine is measured by the job tests).
 */
import { fork } from "node:child_process";
import { Pool } from "undici";
import type { ServiceContext } from "../src/emulator/context.js";
import { type Emulator, startEmulator } from "../src/emulator/index.js";
import type { JobMessage } from "../src/wire/types.js";

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

interface Setup {
  url: string;
  configUrl: string;
  token: string;
  sessions: number;
  seconds: number;
  polls: number;
}

async function json<T>(res: Response): Promise<T> {
  if (!res.ok) throw new Error(`${res.url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Child: creates scale sets + sessions over HTTP, then drives the load. */
async function loadGenerator(setup: Setup): Promise<void> {
  const api = `${setup.url}/api/v3`;
  const reg = await json<{ token: string }>(
    await fetch(`${api}/orgs/emulated-org/actions/runners/registration-token`, {
      method: "POST",
      headers: { authorization: `Bearer ${setup.token}` },
    }),
  );
  const admin = await json<{ url: string; token: string }>(
    await fetch(`${api}/actions/runner-registration`, {
      method: "POST",
      headers: { authorization: `RemoteAuth ${reg.token}`, "content-type": "application/json" },
      body: JSON.stringify({ url: setup.configUrl, runner_event: "register" }),
    }),
  );
  const h = { authorization: `Bearer ${admin.token}`, "content-type": "application/json" };
  const svc = (p: string) => `${admin.url}_apis/runtime/${p}?api-version=6.0-preview`;
  const makeSessions = async (n: number, prefix: string) => {
    const out: { url: string; token: string }[] = [];
    for (let i = 0; i < n; i++) {
      const set = await json<{ id: number }>(
        await fetch(svc("runnerscalesets"), {
          method: "POST",
          headers: h,
          body: JSON.stringify({ name: `${prefix}-${i}` }),
        }),
      );
      const s = await json<{ messageQueueUrl: string; messageQueueAccessToken: string }>(
        await fetch(svc(`runnerscalesets/${set.id}/sessions`), {
          method: "POST",
          headers: h,
          body: JSON.stringify({ ownerName: "bench" }),
        }),
      );
      out.push({ url: s.messageQueueUrl, token: s.messageQueueAccessToken });
    }
    return out;
  };

  const sessions = await makeSessions(setup.sessions, "rt");
  process.send?.({ type: "ready" });
  await new Promise((r) => setTimeout(r, 200));
  const cpuStart = process.cpuUsage();
  let roundTrips = 0;
  let errors = 0;
  const deadline = Date.now() + setup.seconds * 1000;
  // undici's Pool (plain HTTP/1.1 keep-alive, one connection per session) is much cheaper per
  // request than global fetch on Node 20, so the generator does not hide the emulator's speed.
  const pool = new Pool(setup.url, { connections: setup.sessions, pipelining: 1 });
  await Promise.all(
    sessions.map(async (s) => {
      let last = 0;
      const url = new URL(s.url);
      const headers = { authorization: `Bearer ${s.token}`, "x-scalesetmaxcapacity": "1000" };
      while (Date.now() < deadline) {
        const path = `${url.pathname}${url.search}${last ? `&lastMessageId=${last}` : ""}`;
        const res = await pool.request({ method: "GET", path, headers });
        if (res.statusCode !== 200) {
          errors++;
          await res.body.dump();
          continue;
        }
        const msg = (await res.body.json()) as { messageId: number };
        last = msg.messageId;
        const del = await pool.request({
          method: "DELETE",
          path: `${url.pathname}/${last}${url.search}`,
          headers,
        });
        await del.body.dump();
        if (del.statusCode !== 204) errors++;
        else roundTrips++;
      }
    }),
  );
  await pool.close();
  const cpu = process.cpuUsage(cpuStart);
  process.send?.({
    type: "roundTrips",
    roundTrips,
    errors,
    seconds: setup.seconds,
    generatorCpuS: (cpu.user + cpu.system) / 1e6,
  });

  const pollSessions = await makeSessions(setup.polls, "lp");
  process.send?.({ type: "longPollReady" });
  const started = Date.now();
  const statuses = await Promise.all(
    pollSessions.map(async (s) => {
      try {
        const res = await fetch(s.url, {
          headers: { authorization: `Bearer ${s.token}`, "x-scalesetmaxcapacity": "0" },
        });
        await res.arrayBuffer();
        return res.status;
      } catch {
        return 0;
      }
    }),
  );
  const ok = statuses.filter((st) => st === 202).length;
  process.send?.({ type: "longPolls", ok, failed: statuses.length - ok, ms: Date.now() - started });
}

/** Parent: runs the emulator and a feeder, reports the figures. */
async function main(): Promise<void> {
  const sessions = arg("sessions", 100);
  const seconds = arg("seconds", 10);
  const polls = arg("polls", 1000);
  const emu: Emulator = await startEmulator({ longPollMs: 2000, sessionTtlMs: 600_000 });
  const ctx = (emu as unknown as { ctx: ServiceContext }).ctx;
  const template: JobMessage = {
    messageType: "JobAssigned",
    runnerRequestId: 1,
    repositoryName: "bench",
    ownerName: "emulated-org",
    jobId: "00000000-0000-4000-8000-000000000001",
    jobWorkflowRef: "emulated-org/bench/.github/workflows/ci.yml@refs/heads/main",
    jobDisplayName: "bench",
    workflowRunId: 1,
    eventName: "push",
    requestLabels: ["bench"],
    queueTime: new Date().toISOString(),
    scaleSetAssignTime: new Date().toISOString(),
    runnerAssignTime: "0001-01-01T00:00:00Z",
    finishTime: "0001-01-01T00:00:00Z",
  };
  // Every GetMessage on a round-trip scale set finds exactly one job message waiting.
  const stocked = new WeakSet<object>();
  const stock = () => {
    for (const [id, q] of ctx.state.queues) {
      if (stocked.has(q) || !String(ctx.state.scaleSets.get(id)?.name).startsWith("rt-")) continue;
      stocked.add(q);
      const next = q.next.bind(q);
      q.next = (last, nextId) => {
        q.ackUpTo(last);
        if (feeding && q.pending.length === 0 && q.unacked.length === 0) q.pending.push(template);
        return next(last, nextId);
      };
    }
  };
  let feeding = true;
  const feed = setInterval(stock, 20);
  const child = fork(new URL(import.meta.url).pathname, ["--child"], {
    execArgv: ["--import", "tsx"],
  });
  child.send({
    url: emu.url,
    configUrl: emu.configUrl,
    token: emu.token,
    sessions,
    seconds,
    polls,
  } satisfies Setup);
  const cpuStart = process.cpuUsage();
  await new Promise<void>((resolve, reject) => {
    child.on("message", (m: Record<string, number | string>) => {
      if (m["type"] === "roundTrips") {
        feeding = false;
        const rt = Number(m["roundTrips"]) / Number(m["seconds"]);
        const cpu = process.cpuUsage(cpuStart);
        console.log(
          `GetMessage/DeleteMessage round trips: ${rt.toFixed(0)}/s with ${sessions} sessions over ${seconds} s (errors: ${m["errors"]}); emulator CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s, load generator CPU ${Number(m["generatorCpuS"]).toFixed(1)} s`,
        );
      } else if (m["type"] === "longPolls") {
        console.log(
          `Concurrent long polls: ${m["ok"]} answered 202 after the hold, ${m["failed"]} failed, in ${m["ms"]} ms (hold 2000 ms)`,
        );
        resolve();
      }
    });
    child.on("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`load generator exited ${code}`)),
    );
  });
  clearInterval(feed);
  child.kill();
  console.log(`Memory: emulator RSS ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB`);
  await emu.close();
}

if (process.argv.includes("--child")) {
  process.once("message", (setup: Setup) => {
    loadGenerator(setup).then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  });
} else {
  await main();
}
