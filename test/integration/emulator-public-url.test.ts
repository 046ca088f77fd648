import { execFile, spawn } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { Agent, buildConnector, fetch as undiciFetch } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "../../src/emulator/index.js";

/**
 * A client network where only `routes` (`host:port` → local emulator port) exist: every other
 * host fails to connect, so a handed-out URL is usable only if it names a host the client reaches.
 */
function network(routes: Record<string, number>, ca?: string): Agent {
  const connector = buildConnector(ca === undefined ? {} : { ca });
  return new Agent({
    connect: (opts, cb) => {
      const port = opts.port || (opts.protocol === "https:" ? "443" : "80");
      const target = routes[`${opts.hostname}:${port}`];
      if (target === undefined) {
        cb(new Error(`unreachable from the test client: ${opts.hostname}:${port}`), null);
        return;
      }
      connector(
        { ...opts, hostname: "127.0.0.1", port: String(target), servername: opts.hostname },
        cb,
      );
    },
  });
}

const agents: Agent[] = [];
const emulators: Emulator[] = [];
afterEach(async () => {
  for (const a of agents.splice(0)) await a.close();
  for (const e of emulators.splice(0)) await e.close();
});

async function start(options: Parameters<typeof startEmulator>[0]): Promise<Emulator> {
  const emu = await startEmulator({ longPollMs: 200, tokens: ["ghp_public_url"], ...options });
  emulators.push(emu);
  return emu;
}

/** The response fields this test reads. */
interface Answer {
  token: string;
  url: string;
  id: number;
  runnerJitConfigUrl: string;
  sessionId: string;
  messageQueueUrl: string;
  messageQueueAccessToken: string;
  encodedJITConfig: string;
  scaleSetId: number;
  messageId: number;
  body: string;
  value: number[];
}

/** A job message of a GetMessage body (the fields read here). */
interface JobMessage {
  acquireJobUrl: string;
  runnerRequestId: number;
}

/** JSON request through `dispatcher` (undefined: the machine's own network). */
async function call(
  dispatcher: Agent | undefined,
  method: string,
  url: string,
  headers: Record<string, string>,
  body?: unknown,
): Promise<{ status: number; json: Partial<Answer> }> {
  const init: Parameters<typeof undiciFetch>[1] = {
    method,
    headers: { "content-type": "application/json", ...headers },
  };
  if (dispatcher) init.dispatcher = dispatcher;
  if (body !== undefined) init.body = JSON.stringify(body);
  const res = await undiciFetch(url, init);
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Partial<Answer>) : {} };
}

const service = (base: string, path: string) =>
  `${base}_apis/runtime/${path}${path.includes("?") ? "&" : "?"}api-version=6.0-preview`;

/** PAT → registration token → runner-registration, against the REST root `restBase`. */
async function register(net: Agent | undefined, restBase: string, configUrl: string) {
  const reg = await call(
    net,
    "POST",
    `${restBase}/orgs/emulated-org/actions/runners/registration-token`,
    { authorization: "Bearer ghp_public_url" },
  );
  expect(reg.status).toBe(201);
  const res = await call(
    net,
    "POST",
    `${restBase}/actions/runner-registration`,
    { authorization: `RemoteAuth ${reg.json.token}` },
    { url: configUrl, runner_event: "register" },
  );
  expect(res.status).toBe(200);
  return { url: res.json.url ?? "", token: res.json.token ?? "" };
}

/** The JIT config files this test reads (spec §3.18). */
interface JitFiles {
  ".runner": { serverUrl: string; serverUrlV2: string };
  ".credentials": { data: { clientId: string; authorizationUrl: string } };
  ".credentials_rsaparams": { d: string };
}

/** Decodes an encodedJITConfig into its files' JSON. */
function decodeJit(blob: string): JitFiles {
  const files = JSON.parse(Buffer.from(blob, "base64").toString("utf8")) as Record<string, string>;
  return Object.fromEntries(
    Object.entries(files).map(([k, v]) => [k, JSON.parse(Buffer.from(v, "base64").toString())]),
  ) as unknown as JitFiles;
}

/**
 * Drives scale set → session → JIT config through `net` with the handed-out URLs only, and checks
 * each one is on `base` (the host the client reaches) and works when followed.
 */
async function followHandedOutUrls(net: Agent | undefined, serviceUrl: string, admin: string) {
  const auth = { authorization: `Bearer ${admin}` };
  const created = await call(net, "POST", service(serviceUrl, "runnerscalesets"), auth, {
    name: `set-${Math.random().toString(36).slice(2)}`,
    labels: [{ type: "System", name: "linux" }],
    RunnerSetting: {},
  });
  expect(created.status).toBe(200);
  const id = created.json.id ?? -1;
  expect(created.json.runnerJitConfigUrl).toBe(
    `${serviceUrl}_apis/runtime/runnerscalesets/${id}/generatejitconfig`,
  );

  const session = await call(
    net,
    "POST",
    service(serviceUrl, `runnerscalesets/${id}/sessions`),
    auth,
    {
      ownerName: "public-url-test",
    },
  );
  expect(session.status).toBe(200);
  const queueUrl = session.json.messageQueueUrl ?? "";
  expect(queueUrl).toBe(
    `${serviceUrl}_apis/runtime/runnerscalesets/${id}/messages?sessionId=${session.json.sessionId}`,
  );
  const queueAuth = {
    authorization: `Bearer ${session.json.messageQueueAccessToken}`,
    "x-scalesetmaxcapacity": "5",
  };
  expect((await call(net, "GET", queueUrl, queueAuth)).status).toBe(202);

  const jitUrl = `${created.json.runnerJitConfigUrl}?api-version=6.0-preview`;
  const jit = await call(net, "POST", jitUrl, auth, { name: "runner-1", workFolder: "" });
  expect(jit.status).toBe(200);
  const files = decodeJit(jit.json.encodedJITConfig ?? "");
  const runner = files[".runner"];
  const credentials = files[".credentials"].data;
  const base = serviceUrl.replace(/\/_services\/pipelines\/$/, "");
  expect(runner.serverUrl).toBe(serviceUrl);
  expect(runner.serverUrlV2).toBe(`${base}/_agent/`);
  expect(credentials.authorizationUrl).toBe(
    `${serviceUrl}_apis/oauth2/token/${credentials.clientId}`,
  );
  const secret = files[".credentials_rsaparams"].d;
  const connected = await call(net, "POST", `${runner.serverUrlV2}connect`, {
    authorization: `Bearer ${secret}`,
  });
  expect(connected.status).toBe(200);
  expect(connected.json.scaleSetId).toBe(id);
  return { id, queueUrl, queueAuth };
}

describe("emulator listening on a wildcard address", () => {
  it("returns a loopback url and hands out URLs on the host each request was sent to", async () => {
    const emu = await start({ host: "0.0.0.0", mode: "ghes" });
    expect(emu.url).toBe(`http://127.0.0.1:${emu.port}`);
    expect(emu.configUrl).toBe(`http://127.0.0.1:${emu.port}/emulated-org`);
    expect(emu.controlUrl).toBe(`http://127.0.0.1:${emu.port}/_control`);
    expect((await call(undefined, "GET", emu.controlUrl, {})).json.url).toBe(emu.url);

    // A client elsewhere reaches the emulator as emu.example:PORT (and nothing else).
    const origin = `http://emu.example:${emu.port}`;
    const net = network({ [`emu.example:${emu.port}`]: emu.port });
    agents.push(net);
    const admin = await register(net, `${origin}/api/v3`, `${origin}/emulated-org`);
    expect(admin.url).toBe(`${origin}/_services/pipelines/`);
    const { id, queueUrl, queueAuth } = await followHandedOutUrls(net, admin.url, admin.token);

    // JobAvailable's acquireJobUrl is on the host the poll was sent to, also on redelivery.
    emu.queueJobs({ labels: ["linux"] });
    const polled = await call(net, "GET", queueUrl, queueAuth);
    expect(polled.status).toBe(200);
    const [offer] = JSON.parse(polled.json.body ?? "") as JobMessage[];
    const acquirePath = `/_services/pipelines/_apis/runtime/runnerscalesets/${id}/acquirejobs`;
    expect(offer?.acquireJobUrl).toBe(`${origin}${acquirePath}`);
    const local = queueUrl.replace(origin, emu.url);
    const again = await call(undefined, "GET", local, queueAuth);
    expect(again.json.messageId).toBe(polled.json.messageId);
    const [redelivered] = JSON.parse(again.json.body ?? "") as JobMessage[];
    expect(redelivered?.acquireJobUrl).toBe(`${emu.url}${acquirePath}`);
    const acquired = await call(
      net,
      "POST",
      `${offer?.acquireJobUrl}?api-version=6.0-preview`,
      { authorization: queueAuth.authorization },
      [offer?.runnerRequestId],
    );
    expect(acquired.status).toBe(200);
    expect(acquired.json.value).toEqual([offer?.runnerRequestId]);

    // A local client keeps getting loopback URLs.
    const localAdmin = await register(undefined, `${emu.url}/api/v3`, emu.configUrl);
    expect(localAdmin.url).toBe(`${emu.url}/_services/pipelines/`);
  });

  it("keeps serving a hosted-style api.* host, whose handed-out service URL works too", async () => {
    const emu = await start({ host: "0.0.0.0" });
    const net = network({ [`api.emu.example:${emu.port}`]: emu.port });
    agents.push(net);
    const origin = `http://api.emu.example:${emu.port}`;
    const admin = await register(net, origin, `http://emu.example:${emu.port}/emulated-org`);
    expect(admin.url).toBe(`${origin}/_services/pipelines/`);
    await followHandedOutUrls(net, admin.url, admin.token);
  });

  it("uses https for request-derived URLs when it serves TLS", async () => {
    const emu = await start({ host: "0.0.0.0", tls: true });
    expect(emu.url).toBe(`https://127.0.0.1:${emu.port}`);
    const net = network({ [`localhost:${emu.port}`]: emu.port }, emu.caPem);
    agents.push(net);
    const origin = `https://localhost:${emu.port}`;
    const admin = await register(net, `${origin}/api/v3`, `${origin}/emulated-org`);
    expect(admin.url).toBe(`${origin}/_services/pipelines/`);
    await followHandedOutUrls(net, admin.url, admin.token);
  });
});

describe("emulator with publicUrl", () => {
  it("hands out URLs on publicUrl whatever host a request was sent to", async () => {
    const emu = await start({ host: "0.0.0.0", publicUrl: "http://Emu.Public.test:8080/" });
    expect(emu.url).toBe("http://emu.public.test:8080");
    expect(emu.configUrl).toBe("http://emu.public.test:8080/emulated-org");
    expect(emu.controlUrl).toBe("http://emu.public.test:8080/_control");
    // Registered over loopback; the URLs point at the public address, and work from there.
    const loopback = `http://127.0.0.1:${emu.port}`;
    const admin = await register(undefined, `${loopback}/api/v3`, emu.configUrl);
    expect(admin.url).toBe("http://emu.public.test:8080/_services/pipelines/");
    const net = network({ "emu.public.test:8080": emu.port });
    agents.push(net);
    await followHandedOutUrls(net, admin.url, admin.token);
  });

  it("names the public host in the TLS certificate", async () => {
    const emu = await start({ tls: true, publicUrl: "https://emu.public.test:8443" });
    const net = network({ "emu.public.test:8443": emu.port }, emu.caPem);
    agents.push(net);
    const admin = await register(net, `${emu.url}/api/v3`, emu.configUrl);
    expect(admin.url).toBe("https://emu.public.test:8443/_services/pipelines/");
    await followHandedOutUrls(net, admin.url, admin.token);
  });

  it.each([
    ["ftp://emu.example", /^publicUrl must use http or https, got "ftp"$/],
    ["emu.example:8080", /^publicUrl must use http or https/],
    ["not a url", /^publicUrl must be an absolute http\(s\) URL/],
    ["http://emu.example/?x=1", /^publicUrl must not have a query/],
    ["http://emu.example/#top", /^publicUrl must not have a fragment/],
    ["http://emu.example/prefix", /^publicUrl must not have a path/],
    [
      "http://user:hunter2@emu.example",
      /^publicUrl must not contain credentials \(user:password@\)$/,
    ],
  ])("refuses publicUrl %s", async (publicUrl, message) => {
    await expect(startEmulator({ publicUrl })).rejects.toThrow(message);
  });
});

describe("scaleset emulator --public-url", () => {
  const CLI = ["--import", "tsx", join(import.meta.dirname, "../../src/cli/main.ts"), "emulator"];

  async function firstLine(args: string[]): Promise<{ url: string; configUrl: string }> {
    const child = spawn(process.execPath, [...CLI, "--json", ...args], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    try {
      const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
      const line = await new Promise<string>((resolve, reject) => {
        lines.once("line", resolve);
        child.once("exit", (code) => reject(new Error(`emulator exited ${code}`)));
      });
      return JSON.parse(line) as { url: string; configUrl: string };
    } finally {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    }
  }

  it("prints publicUrl-based URLs, and loopback ones on 0.0.0.0 without it", async () => {
    const pub = await firstLine(["--host", "0.0.0.0", "--public-url", "http://emu.internal:8080"]);
    expect(pub).toMatchObject({
      url: "http://emu.internal:8080",
      configUrl: "http://emu.internal:8080/emulated-org",
      controlUrl: "http://emu.internal:8080/_control",
    });
    const wild = await firstLine(["--host", "0.0.0.0"]);
    expect(wild.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it("exits 2 with one line naming the flag for a bad URL", async () => {
    const result = await new Promise<{ code: unknown; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [...CLI, "--public-url", "http://emu.internal:8080/?x=1"],
        { timeout: 30_000 },
        (err, _stdout, stderr) =>
          resolve({ code: err ? (err as { code?: unknown }).code : 0, stderr }),
      );
    });
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(
      'scaleset: --public-url must not have a query, got "http://emu.internal:8080/?x=1"',
    );
  });
});
