/**
 * Fixtures for client tests: a GHES-style config URL on a recording server with the GitHub
 * token endpoints scripted, and admin JWTs with a chosen `exp`.
 */
import type { RecordingServer } from "./recording-server.js";

/** An unsigned but well-formed admin JWT expiring at `expSec` (epoch seconds). */
export function adminJwt(expSec: number, marker = "admin"): string {
  const enc = (v: object) => Buffer.from(JSON.stringify(v)).toString("base64url");
  return `${enc({ alg: "RS256", typ: "JWT" })}.${enc({ exp: expSec, sub: marker })}.c2lnbmF0dXJl`;
}

export const PAT = "ghp_testPersonalAccessToken0123456789";
export const REG_TOKEN = "AREGTOKEN0123456789ABCDEFGHIJ";

export interface AuthRoutesOptions {
  org?: string;
  /** Admin token lifetime in seconds. @default 3600 */
  adminTtlSec?: number;
  /** Path of the Actions-service base on the server. @default "/tenant/" */
  tenantPath?: string;
}

/** Scripts the registration-token and runner-registration endpoints; returns the config URL. */
export function installAuthRoutes(
  server: RecordingServer,
  options: AuthRoutesOptions = {},
): string {
  const { org = "my-org", adminTtlSec = 3600, tenantPath = "/tenant/" } = options;
  let n = 0;
  server.on("POST", `/api/v3/orgs/${org}/actions/runners/registration-token`, {
    status: 201,
    body: { token: REG_TOKEN, expires_at: "2099-01-01T00:00:00Z" },
  });
  server.on("POST", "/api/v3/actions/runner-registration", () => ({
    status: 200,
    body: {
      url: `${server.url}${tenantPath}`,
      token: adminJwt(Math.floor(Date.now() / 1000) + adminTtlSec, `admin-${++n}`),
    },
  }));
  return `${server.url}/${org}`;
}

/** A complete session object as the service returns it. */
export function sessionBody(server: RecordingServer, overrides: Record<string, unknown> = {}) {
  return {
    sessionId: "5b8a3c55-3f5c-4d3f-9a55-0c0b6f0f6a11",
    ownerName: "host-1",
    runnerScaleSet: { id: 7, name: "my-set" },
    messageQueueUrl: `${server.url}/queue/message?sessionId=5b8a3c55`,
    messageQueueAccessToken: "queue-token-1-abcdefghij",
    statistics: {
      totalAvailableJobs: 0,
      totalAcquiredJobs: 0,
      totalAssignedJobs: 2,
      totalRunningJobs: 1,
      totalRegisteredRunners: 1,
      totalBusyRunners: 1,
      totalIdleRunners: 0,
    },
    ...overrides,
  };
}
