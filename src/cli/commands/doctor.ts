/**
 * `scaleset doctor`: checks URL, credentials, token exchange, runner group and scale set, and
 * says what to fix.
 * @module
 */
import type { Command } from "commander";
import { isScaleSetError, parseConfigUrl } from "../../client/index.js";
import { createClient } from "../../daemon/client-factory.js";
import { loadConnection, loadConnections } from "../../daemon/config.js";
import { ERROR_HINTS } from "../explain-error.js";
import { addConnectionOptions, usage } from "./run.js";

const EXAMPLES = `
Examples:
  $ scaleset doctor --url https://github.com/my-org --token ghp_…
  $ scaleset doctor --config scaleset.yaml              # every URL and credentials in the file
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
      // Bad flags (no credentials, malformed URL, unreadable key) are one line on stderr, exit 2.
      // With --name, the connection of that scale set; else every distinct one of the config.
      const connections = usage(() =>
        flags.name === undefined
          ? loadConnections({ flags })
          : [{ ...loadConnection({ flags }, flags.name), scaleSets: [flags.name] }],
      );
      for (const [i, connection] of connections.entries()) {
        if (i > 0) console.log("");
        const parsed = parseConfigUrl(connection.url);
        const sets = connections.length > 1 ? ` (${connection.scaleSets.join(", ")})` : "";
        ok(
          `config URL: ${parsed.scope} ${parsed.enterprise || parsed.organization}${parsed.repository ? `/${parsed.repository}` : ""} on ${parsed.host}${sets}`,
        );
        ok(
          `credentials: ${connection.auth.kind === "token" ? "personal access token" : `GitHub App ${connection.auth.clientId}`}`,
        );
        // One retry and a short deadline: a check should answer in seconds, not back off for minutes.
        const client = createClient({
          url: connection.url,
          auth: connection.auth,
          subsystem: "doctor",
          http: { retryMax: 1, retryWaitMaxMs: 2000, timeoutMs: 20_000 },
        });
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
            ERROR_HINTS[code] ?? "see the message above",
          );
        }
      }
      process.exit(failed ? 1 : 0);
    });
}
