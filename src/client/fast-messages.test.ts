import { describe, expect, it } from "vitest";
import { keyPaths, NON_OBJECTS, variants } from "../../test/helpers/decode-inputs.js";
import { isScaleSetError } from "./errors.js";
import { fastJobs, fastMessage } from "./fast-messages.js";
import {
  decodeRunnerScaleSetMessage,
  explainMessage,
  parseRunnerScaleSetMessage,
} from "./messages.js";
import { schemas } from "./zod-schemas.js";

const stats = {
  totalAvailableJobs: 0,
  totalAcquiredJobs: 0,
  totalAssignedJobs: 1,
  totalRunningJobs: 0,
  totalRegisteredRunners: 0,
  totalBusyRunners: 0,
  totalIdleRunners: 0,
};
const job = {
  runnerRequestId: 11,
  repositoryName: "repo",
  ownerName: "owner",
  jobId: "job-1",
  jobWorkflowRef: "owner/repo/.github/workflows/ci.yml@refs/heads/main",
  jobDisplayName: "build",
  workflowRunId: 5,
  eventName: "push",
  requestLabels: ["self-hosted", "set"],
  queueTime: "2024-01-02T03:04:05.123Z",
  scaleSetAssignTime: "2024-01-02T03:04:06+02:00",
  runnerAssignTime: "0001-01-01T00:00:00Z",
  finishTime: null,
};
const jobs = {
  jobAvailable: { ...job, messageType: "JobAvailable", acquireJobUrl: "https://x/acquire" },
  jobAssigned: { ...job, messageType: "JobAssigned" },
  jobStarted: { ...job, messageType: "JobStarted", runnerId: 3, runnerName: "r" },
  jobCompleted: {
    ...job,
    messageType: "JobCompleted",
    result: "succeeded",
    runnerId: 3,
    runnerName: "r",
  },
};
const elements = [...Object.values(jobs), { messageType: "JobFuture", x: 1 }];
const outer = (body: unknown) => ({
  messageId: 5,
  messageType: "RunnerScaleSetJobMessages",
  body: typeof body === "string" ? body : JSON.stringify(body),
  statistics: stats,
});

describe.each(Object.keys(jobs) as (keyof typeof jobs)[])("fast job decoder %s", (name) => {
  it("decodes exactly what the zod schema accepts, to the same value, and refuses the rest", () => {
    const inputs = [...NON_OBJECTS, ...variants(jobs[name])];
    let accepted = 0;
    for (const input of inputs) {
      const expected = schemas.message[name].safeParse(input);
      const actual = fastJobs[name](input);
      if (expected.success) {
        accepted++;
        expect(actual, JSON.stringify(input)).toStrictEqual(expected.data);
        expect(keyPaths(actual)).toEqual(keyPaths(expected.data));
      } else {
        expect(actual, JSON.stringify(input)).toBeUndefined();
      }
    }
    expect(accepted).toBeGreaterThan(inputs.length / 10);
    expect(accepted).toBeLessThan(inputs.length);
  });
});

/** GetMessage bodies: the outer message mutated, and its inner body's elements mutated. */
function messageInputs(): unknown[] {
  const inputs: unknown[] = [...NON_OBJECTS, ...variants(outer(elements), 2)];
  for (const body of variants(elements, 3)) inputs.push(outer(body));
  for (const body of ["", "null", "{}", "[", '"x"', "[1]", "[[]]", " [] "]) {
    inputs.push(outer(body));
  }
  return inputs;
}

/** The value, or the error's code and message. */
function outcome(fn: () => unknown): unknown {
  try {
    return { value: fn() };
  } catch (error) {
    return { code: isScaleSetError(error) ? error.code : "?", message: (error as Error).message };
  }
}

describe("fastMessage", () => {
  const inputs = messageInputs();

  it("decodes exactly the messages the zod path accepts, to the same value", () => {
    let accepted = 0;
    for (const input of inputs) {
      const expected = outcome(() => explainMessage(input, "GET q", schemas));
      const actual = fastMessage(input);
      if (expected && typeof expected === "object" && "value" in expected) {
        accepted++;
        expect(actual, JSON.stringify(input)).toStrictEqual(expected.value);
        expect(keyPaths(actual)).toEqual(keyPaths(expected.value));
      } else {
        expect(actual, JSON.stringify(input)).toBeUndefined();
      }
    }
    expect(accepted).toBeGreaterThan(inputs.length / 10);
    expect(accepted).toBeLessThan(inputs.length);
  });

  it("gives the zod path's value or exact error, synchronously and asynchronously", async () => {
    for (const input of inputs) {
      if (input === undefined) continue;
      const text = JSON.stringify(input);
      const parsed: unknown = JSON.parse(text);
      const expected = outcome(() => explainMessage(parsed, "GET q", schemas));
      expect(outcome(() => parseRunnerScaleSetMessage(text, "GET q"))).toStrictEqual(expected);
      const actual = await decodeRunnerScaleSetMessage(text, () => "GET q").then(
        (value) => ({ value }),
        (error: Error) => ({
          code: isScaleSetError(error) ? error.code : "?",
          message: error.message,
        }),
      );
      expect(actual).toStrictEqual(expected);
    }
  });
});
