/**
 * `scaleset doctor`: checks URL, credentials, token exchange, runner group and scale set, and
 * says what to fix.
 * @module
 */
import type { Command } from "commander";
import { isScaleSetError, parseConfigUrl } from "../../client/index.js";
import { createClient } from "../../daemon/client-factory.js";
import { loadConnection } from "../../daemon/config.js";
import { DaemonConfigError } from "../../daemon/config-error.js";
import { addConnectionOptions } from "./run.js";

const HINTS: Record<string, string> = {
  AUTH_FAILED:
    "GitHub rejected the credentials: check the token (scope admin:org / repo, or manage runners) or the App id, installation id and key",
  NETWORK_ERROR: "cannot reach the host: check the URL, DNS, HTTPS_PROXY/NO_PROXY and firewalls",
  RUNNER_GROUP_NOT_FOUND: "create the runner group or pass --runner-group default",
  INVALID_CONFIG_URL:
    "use https://github.com/<org>, https://github.com/<org>/<repo> or https://github.com/enterprises/<name>",
  HTTP_ERROR: "the service answered with an unexpected status; see the message",
};

const EXAMPLES = `
Examples:
  $ scaleset doctor --url https://github.com/my-org --token ghp_…
  $ scaleset doctor --config scaleset.yaml --name linux`;

/** Registers `scaleset doctor`. */
export function registerDoctor(program: Command): void {
  addConnectionOptions(
    program
      .command("doctor")
      .description(
        "Check URL, credentials, connectivity, runner group and scale set, and say what to fix",
      )
      .option("--runner-group <name>", "runner group to check", "default")
      .option("--name <name>", "scale set to look up"),
  )
    .addHelpText("after", EXAMPLES)
    .action(async (flags: Record<string, unknown> & { runnerGroup: string; name?: string }) => {
      let failed = false;
      const ok = (what: string) => console.log(`✓ ${what}`);
      const fail = (what: string, hint: string) => {
        failed = true;
        console.log(`✗ ${what}\n    → ${hint}`);
      };
      let connection: ReturnType<typeof loadConnection>;
      try {
        connection = loadConnection({ flags });
      } catch (err) {
        fail("configuration", err instanceof DaemonConfigError ? err.message : String(err));
        process.exit(2);
      }
      const parsed = parseConfigUrl(connection.url);
      ok(
        `config URL: ${parsed.scope} ${parsed.enterprise || parsed.organization}${parsed.repository ? `/${parsed.repository}` : ""} on ${parsed.host}`,
      );
      ok(
        `credentials: ${connection.auth.kind === "token" ? "personal access token" : `GitHub App ${connection.auth.clientId}`}`,
      );
      const client = createClient({ ...connection, subsystem: "doctor" });
      try {
        const group = await client.getRunnerGroupByName(flags.runnerGroup);
        ok("token exchange and Actions service connection");
        ok(`runner group "${group.name}" (id ${group.id})`);
        if (flags.name) {
          const set = await client.getRunnerScaleSet(group.id, flags.name);
          if (set)
            ok(
              `scale set "${set.name}" (id ${set.id}, labels ${set.labels.map((l) => l.name).join(", ")})`,
            );
          else ok(`scale set "${flags.name}" does not exist yet; scaleset run will create it`);
        }
      } catch (err) {
        const code = isScaleSetError(err) ? err.code : "UNKNOWN";
        fail(
          err instanceof Error ? err.message : String(err),
          HINTS[code] ?? "see the message above",
        );
      }
      process.exit(failed ? 1 : 0);
    });
}
