/**
 * Test helper: starts an emulator and talks to it with plain fetch (never the client library),
 * so emulator tests assert the wire as the spec writes it.
 * @module
 */
import { type Emulator, type EmulatorOptions, startEmulator } from "../../src/emulator/index.js";

/** JSON headers with a bearer token. */
export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}`, "content-type": "application/json" };
}

/** A started emulator plus the Actions-service base and admin token from the real exchange. */
export interface TestEmulator {
  emu: Emulator;
  /** Actions-service base URL (trailing slash) from runner-registration. */
  service: string;
  adminToken: string;
  /** `${service}_apis/runtime/${path}` with `api-version=6.0-preview` added. */
  api(path: string): string;
  /** fetch with the admin token and JSON body. */
  call(method: string, path: string, body?: unknown): Promise<Response>;
  createScaleSet(name: string, labels?: string[]): Promise<{ id: number }>;
  createSession(scaleSetId: number, owner?: string): Promise<SessionJson>;
  close(): Promise<void>;
}

/** The session JSON of spec §3.13. */
export interface SessionJson {
  sessionId: string;
  ownerName: string;
  messageQueueUrl: string;
  messageQueueAccessToken: string;
  statistics: Record<string, number>;
  runnerScaleSet?: { id: number; name: string };
}

/** Runs the PAT → registration token → runner-registration exchange; returns {url, token}. */
export async function adminExchange(
  emu: Emulator,
  pat = emu.token,
): Promise<{ url: string; token: string }> {
  const api = `${emu.url}/api/v3`;
  const reg = await fetch(`${api}/orgs/emulated-org/actions/runners/registration-token`, {
    method: "POST",
    headers: { authorization: `Bearer ${pat}`, "content-type": "application/vnd.github.v3+json" },
  });
  if (reg.status !== 201) throw new Error(`registration token: ${reg.status}`);
  const { token } = (await reg.json()) as { token: string };
  const res = await fetch(`${api}/actions/runner-registration`, {
    method: "POST",
    headers: { authorization: `RemoteAuth ${token}`, "content-type": "application/json" },
    body: `${JSON.stringify({ url: emu.configUrl, runner_event: "register" })}\n`,
  });
  if (res.status !== 200) throw new Error(`runner-registration: ${res.status}`);
  return (await res.json()) as { url: string; token: string };
}

/** Starts an emulator (fast defaults for tests) and performs the admin exchange. */
export async function startTestEmulator(options: EmulatorOptions = {}): Promise<TestEmulator> {
  const emu = await startEmulator({ longPollMs: 200, ...options });
  const admin = await adminExchange(emu);
  const api = (path: string) => {
    const url = `${admin.url}_apis/runtime/${path}`;
    return `${url}${url.includes("?") ? "&" : "?"}api-version=6.0-preview`;
  };
  const call = (method: string, path: string, body?: unknown) => {
    const init: RequestInit = { method, headers: bearer(admin.token) };
    if (body !== undefined) init.body = JSON.stringify(body);
    return fetch(api(path), init);
  };
  return {
    emu,
    service: admin.url,
    adminToken: admin.token,
    api,
    call,
    async createScaleSet(name, labels = [name]) {
      const res = await call("POST", "runnerscalesets", {
        name,
        runnerGroupId: 1,
        labels: labels.map((l) => ({ type: "System", name: l })),
        RunnerSetting: {},
        createdOn: "0001-01-01T00:00:00Z",
      });
      if (res.status !== 200)
        throw new Error(`create scale set: ${res.status} ${await res.text()}`);
      return (await res.json()) as { id: number };
    },
    async createSession(scaleSetId, owner = "test-host") {
      const res = await call("POST", `runnerscalesets/${scaleSetId}/sessions`, {
        sessionId: "00000000-0000-0000-0000-000000000000",
        ownerName: owner,
      });
      if (res.status !== 200) throw new Error(`create session: ${res.status} ${await res.text()}`);
      return (await res.json()) as SessionJson;
    },
    close: () => emu.close(),
  };
}

/** GetMessage with the queue token (spec §3.14). */
export function getMessage(
  session: SessionJson,
  lastMessageId = 0,
  maxCapacity: number | undefined = 10,
): Promise<Response> {
  const url = new URL(session.messageQueueUrl);
  if (lastMessageId > 0) url.searchParams.set("lastMessageId", String(lastMessageId));
  const headers: Record<string, string> = {
    accept: "application/json; api-version=6.0-preview",
    authorization: `Bearer ${session.messageQueueAccessToken}`,
  };
  if (maxCapacity !== undefined) headers["x-scalesetmaxcapacity"] = String(maxCapacity);
  return fetch(url, { headers });
}

/** A parsed 200 GetMessage body. */
export interface MessageJson {
  messageId: number;
  messageType: string;
  body: string;
  statistics: Record<string, number>;
  jobs: {
    messageType: string;
    runnerRequestId: number;
    jobId: string;
    result?: string;
    runnerName?: string;
    runnerAssignTime: string;
    acquireJobUrl?: string;
  }[];
}

/** Polls until a message arrives (skipping 202s) and parses its body. */
export async function nextMessage(
  session: SessionJson,
  lastMessageId = 0,
  maxCapacity = 10,
): Promise<MessageJson> {
  for (let i = 0; i < 100; i++) {
    const res = await getMessage(session, lastMessageId, maxCapacity);
    if (res.status === 202) continue;
    if (res.status !== 200) throw new Error(`getMessage: ${res.status} ${await res.text()}`);
    const msg = (await res.json()) as MessageJson;
    msg.jobs = msg.body ? JSON.parse(msg.body) : [];
    return msg;
  }
  throw new Error("no message after 100 polls");
}

/** DeleteMessage (spec §3.15): `/<id>` appended to the queue URL path, query kept. */
export function deleteMessage(session: SessionJson, messageId: number): Promise<Response> {
  const url = new URL(session.messageQueueUrl);
  url.pathname = `${url.pathname}/${messageId}`;
  return fetch(url, { method: "DELETE", headers: bearer(session.messageQueueAccessToken) });
}
