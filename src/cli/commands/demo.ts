/**
 * `scaleset demo`: the whole system on one machine in one command.
 * @module
 */
import { type Command, Option } from "commander";
import { runDemo } from "../../daemon/demo.js";
import { createLogger } from "../../daemon/logger.js";
import { silentLogger } from "../../util/logger.js";
import { CliUsageError } from "../usage-error.js";

const EXAMPLES = `
Examples:
  $ npx scaleset demo                      # 20 jobs, up to 10 local fake runners
  $ npx scaleset demo --jobs 50 --max-runners 20
  $ npx scaleset demo --provider docker    # runners in containers (npm run build:runner-image first)
  $ npx scaleset demo --log-file demo.log  # keep the daemon's JSON logs (secrets redacted)`;

function positiveInt(flag: string) {
  return (value: string): number => {
    if (!/^\d+$/.test(value) || Number(value) < 1)
      throw new CliUsageError(`${flag}: must be a whole number of 1 or more, got "${value}"`);
    return Number(value);
  };
}

/** Registers `scaleset demo`. */
export function registerDemo(program: Command): void {
  program
    .command("demo")
    .description(
      "Run the emulator, the autoscaler and fake runners locally; queue jobs and watch them complete",
    )
    .option("--jobs <n>", "jobs to queue", positiveInt("--jobs"), 20)
    .option("--max-runners <n>", "most runners at once", positiveInt("--max-runners"), 10)
    .addOption(
      new Option("--provider <type>", "where fake runners run")
        .choices(["process", "docker"])
        .default("process"),
    )
    .option("--log-file <path>", "write the daemon's JSON logs to this file")
    .addHelpText("after", EXAMPLES)
    .action(
      async (flags: {
        jobs: number;
        maxRunners: number;
        provider: "process" | "docker";
        logFile?: string;
      }) => {
        const { pino } = await import("pino");
        const logger = flags.logFile
          ? createLogger({
              level: "debug",
              destination: pino.destination({ dest: flags.logFile, sync: true }),
            })
          : silentLogger;
        const controller = new AbortController();
        const force = new AbortController();
        const onSignal = () => {
          if (controller.signal.aborted) force.abort(new Error("interrupted twice"));
          else controller.abort(new Error("interrupted"));
        };
        process.on("SIGINT", onSignal);
        process.on("SIGTERM", onSignal);
        const result = await runDemo({
          jobs: flags.jobs,
          maxRunners: flags.maxRunners,
          provider: flags.provider,
          logger,
          signal: controller.signal,
          forceSignal: force.signal,
        });
        const q = result.queueToStartMs;
        console.log(
          [
            "",
            `${result.interrupted ? "interrupted" : "done"}: ${result.succeeded}/${result.jobs} jobs succeeded in ${(result.elapsedMs / 1000).toFixed(1)}s`,
            `runners started: ${result.runnersStarted}`,
            `queue-to-start: median ${q ? q.median : "-"} ms, p95 ${q ? q.p95 : "-"} ms`,
            `left behind: ${result.leftovers === 0 ? "nothing" : `${result.leftovers} runner(s), now removed`}`,
          ].join("\n"),
        );
        if (result.interrupted) process.exit(130);
        process.exit(result.succeeded === result.jobs && result.leftovers === 0 ? 0 : 1);
      },
    );
}
