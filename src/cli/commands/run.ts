/**
 * `scaleset run`: the autoscaler daemon.
 * @module
 */
import { type Command, Option } from "commander";
import { loadConfig } from "../../daemon/config.js";
import { DaemonConfigError } from "../../daemon/config-error.js";
import type { DaemonConfig } from "../../daemon/config-schema.js";
import { InstanceLockedError } from "../../daemon/instance-lock.js";
import { applyDaemonV8Flags, V8FlagsError } from "../../daemon/v8-flags.js";
import { CliUsageError } from "../usage-error.js";

/** Adds the URL and credential flags every command that talks to GitHub takes. */
export function addConnectionOptions(command: Command): Command {
  return command
    .option(
      "--url <url>",
      "config URL: https://github.com/<org>[/<repo>] or …/enterprises/<name> [SCALESET_URL]",
    )
    .option("--token <token>", "personal access token [SCALESET_TOKEN, GITHUB_TOKEN]")
    .option("--app-client-id <id>", "GitHub App client ID (or App ID) [SCALESET_APP_CLIENT_ID]")
    .option(
      "--app-installation-id <id>",
      "GitHub App installation ID [SCALESET_APP_INSTALLATION_ID]",
    )
    .option(
      "--app-private-key <pem>",
      "GitHub App private key, PEM text [SCALESET_APP_PRIVATE_KEY]",
    )
    .option(
      "--app-private-key-file <path>",
      "GitHub App private key file [SCALESET_APP_PRIVATE_KEY_FILE]",
    )
    .option(
      "--config <file.yaml>",
      "YAML config file (flags and env vars override it) [SCALESET_CONFIG]",
    );
}

/** Runs `fn`, turning config errors into one-line usage errors (exit 2). */
export function usage<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof DaemonConfigError || err instanceof V8FlagsError)
      throw new CliUsageError(err.message);
    throw err;
  }
}

const EXAMPLES = `
Examples:
  # one scale set of Docker runners for an organization, with a PAT
  $ GITHUB_TOKEN=ghp_… scaleset run --url https://github.com/my-org --name linux-x64 \\
      --labels linux,x64 --min-runners 1 --max-runners 20

  # process runners from an unpacked actions/runner tarball, GitHub App auth, metrics on :9090
  $ scaleset run --url https://github.com/my-org --name build --provider process \\
      --runner-dir /opt/actions-runner --app-client-id Iv1.abc --app-installation-id 42 \\
      --app-private-key-file app.pem --metrics-addr :9090

  # several scale sets from a file
  $ scaleset run --config scaleset.yaml --log-format json

Signals: SIGTERM/SIGINT drain (no new runners, idle runners removed, busy ones awaited up to
--drain-timeout, session deleted, exit 0); a second signal exits at once.
One daemon per scale set per host: a second scaleset run for the same --url and --name exits 2.`;

/** Registers `scaleset run`. */
export function registerRun(program: Command): void {
  const command = program
    .command("run")
    .description("Run the autoscaler daemon: keep runners for one or more scale sets")
    .option("--name <name>", "scale set name [SCALESET_NAME]")
    .option(
      "--labels <list>",
      "comma-separated extra labels; the name is always a label [SCALESET_LABELS]",
    )
    .option("--runner-group <name>", "runner group (default: default) [SCALESET_RUNNER_GROUP]")
    .option("--min-runners <n>", "idle runners kept ready (default: 0) [SCALESET_MIN_RUNNERS]")
    .option("--max-runners <n>", "most runners at once (default: 10) [SCALESET_MAX_RUNNERS]")
    .addOption(
      new Option(
        "--provider <type>",
        "where runners run (default: docker) [SCALESET_PROVIDER]",
      ).choices(["docker", "process"]),
    )
    .option(
      "--runner-image <image>",
      "docker: runner image (default: ghcr.io/actions/actions-runner:latest) [SCALESET_RUNNER_IMAGE]",
    )
    .option(
      "--runner-dir <dir>",
      "process: an unpacked runner directory with run.sh [SCALESET_RUNNER_DIR]",
    )
    .option(
      "--work-dir <dir>",
      "process: where per-runner copies live (default: ~/.scaleset/runners/<name>) [SCALESET_WORK_DIR]",
    )
    .option(
      "--metrics-addr <host:port>",
      "serve /metrics, /healthz and /readyz here [SCALESET_METRICS_ADDR]",
    )
    .option(
      "--drain-timeout <duration>",
      "how long shutdown waits for busy runners: 90s, 10m or seconds (default: 5m) [SCALESET_DRAIN_TIMEOUT]",
    )
    .option(
      "--delete-on-exit",
      "delete the scale set after draining (default: keep it) [SCALESET_DELETE_ON_EXIT]",
    )
    .addOption(
      new Option("--log-level <level>", "log level (default: info) [SCALESET_LOG_LEVEL]").choices([
        "trace",
        "debug",
        "info",
        "warn",
        "error",
        "fatal",
        "silent",
      ]),
    )
    .addOption(
      new Option(
        "--log-format <format>",
        "json, pretty, or auto = pretty on a terminal (default: auto) [SCALESET_LOG_FORMAT]",
      ).choices(["json", "pretty", "auto"]),
    );
  addConnectionOptions(command)
    .addHelpText("after", EXAMPLES)
    .action(async (flags: Record<string, unknown>) => {
      const config = usage(() => loadConfig({ flags }));
      usage(() => applyDaemonV8Flags());
      await runWithSignals(config);
    });
}

async function runWithSignals(config: DaemonConfig): Promise<void> {
  // Loaded here, after the config checks, so bad input is reported without loading the daemon.
  const [{ configSecrets }, { runDaemon }, { createLogger }] = await Promise.all([
    import("../../daemon/client-factory.js"),
    import("../../daemon/daemon.js"),
    import("../../daemon/logger.js"),
  ]);
  const logger = createLogger({
    level: config.logLevel,
    format: config.logFormat,
    secrets: configSecrets(config),
  });
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    if (signals === 1) {
      logger.info({ signal }, "draining; send the signal again to exit at once");
      controller.abort(new Error(`received ${signal}`));
    } else {
      logger.warn({ signal }, "exiting at once");
      process.exit(1);
    }
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  try {
    await runDaemon({ config, logger, signal: controller.signal });
  } catch (err) {
    // Another daemon runs the scale set on this host: bad input, one line, exit 2.
    if (err instanceof InstanceLockedError) throw new CliUsageError(err.message);
    throw err;
  } finally {
    process.off("SIGTERM", onSignal);
    process.off("SIGINT", onSignal);
  }
  process.exit(0);
}
