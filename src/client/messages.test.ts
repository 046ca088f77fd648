import { describe, expect, it } from "vitest";
import { isScaleSetError } from "./errors.js";
import { parseRunnerScaleSetMessage } from "./messages.js";

const stats =
  '{"totalAvailableJobs":0,"totalAcquiredJobs":0,"totalAssignedJobs":1,"totalRunningJobs":0,"totalRegisteredRunners":0,"totalBusyRunners":0,"totalIdleRunners":0}';
const outer = (body: string, extra = "") =>
  `{"messageId":5,"messageType":"RunnerScaleSetJobMessages","body":${JSON.stringify(body)},"statistics":${stats}${extra}}`;
const fails = (text: string, pattern: RegExp) => {
  let err: unknown;
  try {
    parseRunnerScaleSetMessage(text, "GET q");
  } catch (e) {
    err = e;
  }
  expect(isScaleSetError(err, "BAD_RESPONSE")).toBe(true);
  expect((err as Error).message).toMatch(pattern);
};

describe("parseRunnerScaleSetMessage", () => {
  it("reads keys case-insensitively and treats an empty body as no job messages", () => {
    const m = parseRunnerScaleSetMessage(
      `{"MessageId":5,"messagetype":"RunnerScaleSetJobMessages","Statistics":${stats}}`,
      "q",
    );
    expect(m).toMatchObject({
      messageId: 5,
      jobAssignedMessages: [],
      statistics: { totalAssignedJobs: 1 },
    });
  });

  it("ignores unknown inner message types", () => {
    const m = parseRunnerScaleSetMessage(
      outer('[{"messageType":"JobFuture"},{"messageType":"JobAssigned","jobId":"j"}]'),
      "q",
    );
    expect(m.jobAssignedMessages.map((j) => j.jobId)).toEqual(["j"]);
  });

  it("fails clearly on malformed input", () => {
    fails("", /empty response body/);
    fails('{"messageId":1', /not valid JSON/);
    fails(
      outer("", ',"x":1').replace("RunnerScaleSetJobMessages", "Other"),
      /unsupported message type "Other"/,
    );
    fails(
      `{"messageId":1,"messageType":"RunnerScaleSetJobMessages","statistics":null}`,
      /no statistics/,
    );
    fails(outer("{}"), /body of message 5/);
    fails(outer("[{}]"), /\[0\]/);
    fails(
      outer('[{"messageType":"JobStarted","queueTime":"2024-01-02T03:04:05"}]'),
      /queueTime: must be an RFC 3339 timestamp with a zone/,
    );
    fails(outer('[{"messageType":"JobStarted","queueTime":""}]'), /queueTime/);
  });

  it("refuses 64-bit ids above Number.MAX_SAFE_INTEGER instead of rounding them", () => {
    fails(
      outer('[{"messageType":"JobAvailable","runnerRequestId":9007199254740993}]'),
      /runnerRequestId: .*MAX_SAFE_INTEGER/,
    );
    fails(outer("").replace('"messageId":5', '"messageId":18446744073709551615'), /messageId/);
    expect(
      parseRunnerScaleSetMessage(
        outer('[{"messageType":"JobAvailable","runnerRequestId":9007199254740991}]'),
        "q",
      ).jobAvailableMessages[0]?.runnerRequestId,
    ).toBe(9007199254740991);
  });
});
