/**
 * JIT config blobs in the real shape (spec §3.18): base64 of a JSON map of file name → base64
 * file content, with `.runner`, `.credentials` and `.credentials_rsaparams`.
 * @module
 */
import { randomBytes, randomUUID } from "node:crypto";
import { PATHS, serviceBase } from "./context.js";
import type { RunnerRecord, ScaleSetRecord } from "./records.js";

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value), "utf8").toString("base64");
}

/** Bytes fetched from the CSPRNG at once: one call serves dozens of runners. */
const POOL_BYTES = 64 * 1024;
let pool = Buffer.alloc(0);
let poolAt = 0;

/** `bytes` fresh random bytes as base64, cut from a pooled `randomBytes` buffer (never reused). */
function randomB64(bytes: number): string {
  if (poolAt + bytes > pool.length) {
    pool = randomBytes(Math.max(POOL_BYTES, bytes));
    poolAt = 0;
  }
  const out = pool.toString("base64", poolAt, poolAt + bytes);
  poolAt += bytes;
  return out;
}

/** Sizes of the random RSA-parameter stand-ins (`dp dq inverseQ modulus p q`). */
const RSA_PARTS = [128, 128, 128, 256, 128, 128] as const;

/**
 * Random bytes in the sizes of a 2048-bit key's parameters: only `d` (the runner's secret) is
 * checked, so the rest need no key generation.
 */
function rsaStandIns(): string[] {
  return RSA_PARTS.map((n) => randomB64(n));
}

/** Fresh credentials for a new runner: the OAuth client id and the secret (`d`). */
export function newRunnerCredentials(): { clientId: string; secret: string } {
  return { clientId: randomUUID(), secret: randomB64(32) };
}

/**
 * The encoded JIT config of a runner, its URLs on `base` (see `publicBase`). `.runner.serverUrlV2`
 * points at the emulator's runner agent endpoints; the fake runner authenticates with
 * `.credentials_rsaparams.d` as its secret.
 */
export function encodeJitConfig(
  base: string,
  runner: RunnerRecord,
  scaleSet: ScaleSetRecord,
): string {
  const [dp, dq, inverseQ, modulus, p, q] = rsaStandIns();
  const files = {
    ".runner": b64({
      agentId: runner.id,
      agentName: runner.name,
      poolId: scaleSet.runnerGroupId,
      poolName: scaleSet.runnerGroupName,
      disableUpdate: scaleSet.runnerSetting.disableUpdate ?? false,
      ephemeral: true,
      serverUrl: serviceBase(base),
      workFolder: runner.workFolder || "_work",
      useV2Flow: true,
      serverUrlV2: `${base}${PATHS.agent}/`,
      useRunnerAdminFlow: true,
    }),
    ".credentials": b64({
      scheme: "OAuth",
      data: {
        clientId: runner.clientId,
        authorizationUrl: `${serviceBase(base)}_apis/oauth2/token/${runner.clientId}`,
        requireFipsCryptography: "False",
      },
    }),
    ".credentials_rsaparams": b64({
      d: runner.secret,
      dp,
      dq,
      exponent: "AQAB",
      inverseQ,
      modulus,
      p,
      q,
    }),
  };
  return b64(files);
}
