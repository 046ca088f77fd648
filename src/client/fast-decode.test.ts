import { describe, expect, it } from "vitest";
import { fastJobs } from "./fast-messages.js";
import { schemas } from "./zod-schemas.js";

// int64, str, time and string-array fields with Go's key matching, through a job message.
const schema = schemas.message.jobAssigned;
const fast = fastJobs.jobAssigned;

const inputs: unknown[] = [
  {
    runnerRequestId: 7,
    jobId: "j",
    queueTime: "2024-01-02T03:04:05.5+02:00",
    requestLabels: ["a"],
  },
  { RUNNERREQUESTID: 7, jobid: "lower", JobId: "last wins", extra: 1 },
  { jobId: "exact", JOBID: "ignored" },
  { runnerRequestId: null, jobId: null, queueTime: null, requestLabels: null },
  {},
  { runnerRequestId: 2 ** 53 },
  { runnerRequestId: 1.5 },
  { runnerRequestId: "1" },
  { jobId: 3 },
  { queueTime: "2024-01-02T03:04:05" },
  { queueTime: "" },
  { requestLabels: ["a", 1] },
  { requestLabels: "a" },
  null,
  [],
  "x",
];

describe("fastObject", () => {
  it("decodes exactly what the zod schema accepts, to the same value, and refuses the rest", () => {
    for (const input of inputs) {
      const expected = schema.safeParse(input);
      const actual = fast(input);
      if (expected.success) {
        expect(actual).toStrictEqual(expected.data);
        expect(Object.keys(actual ?? {})).toEqual(Object.keys(expected.data));
      } else {
        expect(actual).toBeUndefined();
      }
    }
  });
});
