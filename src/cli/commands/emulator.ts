/**
 * `scaleset emulator`: runs the GitHub-side emulator standalone until SIGINT/SIGTERM.
 * @module
 */
import { createPublicKey } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { type Command, Option } from "commander";
import { EmulatorOptionError, type EmulatorOptions, startEmulator } from "../../emulator/index.js";
import { normalizePublicUrl } from "../../emulator/public-url.js";
import { CliUsageError } from "../usage-error.js";

interface EmulatorFlags {
  port: string;
  host: string;
  mode: "github" | "ghes";
  org: string;
  token?: string[];
  appId?: string;
  appInstallationId?: string;
  appPublicKey?: string;
  longPollMs?: string;
  sessionTtlMs?: string;
  tokenTtlMs?: string;
  adminTokenTtlMs?: string;
  queueTokenTtlMs?: string;
  pickupTimeoutMs?: string;
  runnerLostTimeoutMs?: string;
  state?: string;
  record?: string;
  tls?: boolean;
  caFile?: string;
  publicUrl?: string;
  json?: boolean;
}

const EXAMPLES = `
Examples:
  $ scaleset emulator --port 8080
  $ curl -X POST http://127.0.0.1:8080/_control/jobs -H 'content-type: application/json' \\
      -d '{"labels":["linux"],"durationMs":2000}'
  $ scaleset emulator --mode ghes --token ghp_test --state /tmp/emu.json --record /tmp/requests.jsonl
  $ scaleset emulator --host 0.0.0.0 --port 8080 --public-url http://emulator.internal:8080
  $ scaleset emulator --tls --ca-file /tmp/emu-ca.pem   # then NODE_EXTRA_CA_CERTS=/tmp/emu-ca.pem scaleset run …
`;

function int(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value))
    throw new CliUsageError(`${flag} must be a non-negative integer, got "${value}"`);
  return Number(value);
}

/** The flag of each `EmulatorOptionError` option the command line sets. */
const OPTION_FLAGS: Record<string, string> = {
  port: "--port",
  host: "--host",
  stateFile: "--state",
  recordFile: "--record",
  tokens: "--token",
  app: "--app-public-key",
};

/** `startEmulator`, with an option it cannot use reported as bad input naming the flag. */
async function start(options: EmulatorOptions) {
  try {
    return await startEmulator(options);
  } catch (err) {
    if (err instanceof EmulatorOptionError)
      throw new CliUsageError(`${OPTION_FLAGS[err.option] ?? err.option}: ${err.reason}`);
    throw err;
  }
}

function port(value: string): number {
  const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!(n <= 65_535))
    throw new CliUsageError(`--port must be a port number (0-65535), got "${value}"`);
  return n;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Builds EmulatorOptions from the flags (exported for tests). */
export function emulatorOptionsFromFlags(flags: EmulatorFlags): EmulatorOptions {
  const options: EmulatorOptions = {
    host: flags.host,
    port: port(flags.port),
    mode: flags.mode,
    org: flags.org,
  };
  if (flags.token) options.tokens = flags.token;
  const numbers: [keyof EmulatorOptions, string, string | undefined][] = [
    ["longPollMs", "--long-poll-ms", flags.longPollMs],
    ["sessionTtlMs", "--session-ttl-ms", flags.sessionTtlMs],
    ["adminTokenTtlMs", "--admin-token-ttl-ms", flags.adminTokenTtlMs ?? flags.tokenTtlMs],
    ["queueTokenTtlMs", "--queue-token-ttl-ms", flags.queueTokenTtlMs ?? flags.tokenTtlMs],
    ["pickupTimeoutMs", "--pickup-timeout-ms", flags.pickupTimeoutMs],
    ["runnerLostTimeoutMs", "--runner-lost-timeout-ms", flags.runnerLostTimeoutMs],
  ];
  for (const [key, flag, value] of numbers) {
    const n = int(flag, value);
    if (n !== undefined) Object.assign(options, { [key]: n });
  }
  if (flags.appId !== undefined || flags.appPublicKey !== undefined) {
    if (!flags.appId || !flags.appPublicKey)
      throw new CliUsageError("--app-id and --app-public-key go together");
    let publicKeyPem: string;
    try {
      publicKeyPem = readFileSync(flags.appPublicKey, "utf8");
    } catch {
      throw new CliUsageError(`--app-public-key: cannot read ${flags.appPublicKey}`);
    }
    try {
      createPublicKey(publicKeyPem);
    } catch {
      throw new CliUsageError(`--app-public-key: ${flags.appPublicKey} holds no PEM public key`);
    }
    options.app = {
      clientId: flags.appId,
      installationId: int("--app-installation-id", flags.appInstallationId) ?? 1,
      publicKeyPem,
    };
  }
  if (flags.state) options.stateFile = flags.state;
  if (flags.record) options.recordFile = flags.record;
  if (flags.tls) options.tls = true;
  if (flags.caFile !== undefined && !flags.tls)
    throw new CliUsageError("--ca-file: only with --tls (the CA of its self-signed certificate)");
  if (flags.publicUrl !== undefined) {
    try {
      options.publicUrl = normalizePublicUrl(flags.publicUrl, "--public-url");
    } catch (err) {
      throw new CliUsageError((err as Error).message);
    }
  }
  return options;
}

/** Registers `scaleset emulator`. */
export function registerEmulator(program: Command): void {
  program
    .command("emulator")
    .description(
      "Run a local emulator of the GitHub side of the Runner Scale Set API (see docs/emulator.md)",
    )
    .option("--port <port>", "port to listen on (0 = random)", "0")
    .option("--host <host>", "address to listen on", "127.0.0.1")
    .addOption(
      new Option("--mode <mode>", "job hand-out: github assigns, ghes needs acquirejobs")
        .choices(["github", "ghes"])
        .default("github"),
    )
    .option("--org <org>", "organization in the config URL", "emulated-org")
    .option("--token <token>", "accepted PAT (repeatable; default: one generated)", collect)
    .option("--app-id <id>", "GitHub App client ID (or App ID) whose JWTs are accepted")
    .option("--app-installation-id <id>", "installation ID of that App", "1")
    .option("--app-public-key <file>", "PEM public key of that App")
    .option("--long-poll-ms <ms>", "GetMessage hold before 202 (default 50000)")
    .option("--session-ttl-ms <ms>", "a session nobody polls expires after this (default 120000)")
    .option("--token-ttl-ms <ms>", "admin and queue token lifetime (default 3600000)")
    .option("--admin-token-ttl-ms <ms>", "admin token lifetime")
    .option("--queue-token-ttl-ms <ms>", "message-queue token lifetime")
    .option(
      "--pickup-timeout-ms <ms>",
      "assigned job not taken by a runner in this time is requeued (default 300000)",
    )
    .option(
      "--runner-lost-timeout-ms <ms>",
      "a runner that stops renewing its job lock is lost: job failed, runner removed (default 120000)",
    )
    .option("--state <file>", "state file: restored on start, saved on change")
    .option("--record <file>", "append every request served to this JSONL file (secrets masked)")
    .option("--tls", "serve https with HTTP/2 and a self-signed certificate")
    .option(
      "--ca-file <file>",
      "with --tls: write the certificate's CA (PEM) here, for NODE_EXTRA_CA_CERTS or curl --cacert",
    )
    .option(
      "--public-url <url>",
      "origin clients reach the emulator at, used in every URL it hands out (default: the listen address; on 0.0.0.0/:: the host each request was sent to)",
    )
    .option("--json", "print the connection details as one JSON line")
    .addHelpText("after", EXAMPLES)
    .action(async (flags: EmulatorFlags) => {
      const emu = await start(emulatorOptionsFromFlags(flags));
      if (flags.caFile !== undefined && emu.caPem !== undefined) {
        try {
          writeFileSync(flags.caFile, emu.caPem);
        } catch (err) {
          await emu.close();
          const code = (err as { code?: unknown }).code;
          throw new CliUsageError(`--ca-file: cannot write ${flags.caFile} (${String(code)})`);
        }
      }
      if (flags.json) {
        console.log(
          JSON.stringify({
            url: emu.url,
            configUrl: emu.configUrl,
            token: emu.token,
            controlUrl: emu.controlUrl,
            ...(emu.caPem === undefined ? {} : { caPem: emu.caPem }),
            ...(flags.caFile === undefined ? {} : { caFile: flags.caFile }),
          }),
        );
      } else {
        console.log("scaleset emulator listening");
        console.log(`  config URL:  ${emu.configUrl}`);
        console.log(`  token:       ${emu.token}`);
        console.log(`  control URL: ${emu.controlUrl}`);
        console.log(`  mode:        ${flags.mode}`);
        if (emu.caPem !== undefined) {
          console.log(
            flags.caFile === undefined
              ? "  CA:          not saved; add --ca-file FILE to trust it (NODE_EXTRA_CA_CERTS=FILE, curl --cacert FILE)"
              : `  CA:          ${flags.caFile} (NODE_EXTRA_CA_CERTS=${flags.caFile}, curl --cacert ${flags.caFile})`,
          );
        }
        console.log(
          `Queue a job: curl -X POST ${emu.controlUrl}/jobs -H 'content-type: application/json' -d '{"labels":["linux"]}'`,
        );
      }
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
      await emu.close();
    });
}
