/**
 * zod schemas of the service's JSON responses, decoded the way Go's `encoding/json` does:
 * keys matched case-insensitively (exact match preferred), unknown keys ignored, `null` read as
 * the zero value. Integers must be safe integers: a 64-bit id above `Number.MAX_SAFE_INTEGER`
 * is an error, never a silently rounded number.
 *
 * These schemas are the reference for the hand-written decoders (fast-responses.ts,
 * messages.ts), which decode every well-formed response. zod costs ~14 MB RSS per process, so
 * it is only loaded (load-schemas.ts) to explain a response those decoders refuse: this module
 * takes `z` as a parameter and imports nothing of zod at run time.
 * @module
 */
import type { z as Zod } from "zod";
import { ZERO_TIME } from "../wire/types.js";

/** RFC 3339 with a mandatory zone. */
export const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** A UUID in any letter case (session ids). */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The zod schemas built by {@link defineSchemas}. */
export type ZodSchemas = ReturnType<typeof defineSchemas>;

/** Builds the response schemas with the given zod instance. */
export function defineSchemas(z: typeof Zod) {
  /** An object schema whose keys are matched case-insensitively, like Go's decoder. */
  function ciObject<T extends Zod.ZodRawShape>(shape: T) {
    const canonical = new Map(Object.keys(shape).map((k) => [k.toLowerCase(), k]));
    return z.preprocess((value) => {
      if (typeof value !== "object" || value === null || Array.isArray(value)) return value;
      const source = value as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const [key, v] of Object.entries(source)) {
        const canon = Object.hasOwn(shape, key) ? key : canonical.get(key.toLowerCase());
        if (canon !== undefined && (canon === key || !Object.hasOwn(source, canon))) out[canon] = v;
      }
      return out;
    }, z.object(shape));
  }

  /** A safe integer (`null`/absent → 0). */
  const int64 = z
    .number()
    .refine(Number.isSafeInteger, {
      message:
        "must be an integer no larger than Number.MAX_SAFE_INTEGER (64-bit value would lose precision)",
    })
    .nullish()
    .transform((v) => v ?? 0);

  /** A string (`null`/absent → ""). */
  const str = z
    .string()
    .nullish()
    .transform((v) => v ?? "");

  /** A boolean (`null`/absent → false). */
  const bool = z
    .boolean()
    .nullish()
    .transform((v) => v ?? false);

  /** An RFC 3339 timestamp with a mandatory zone (`null`/absent → the zero time). */
  const time = z
    .string()
    .regex(RFC3339, { message: "must be an RFC 3339 timestamp with a zone (Z or ±hh:mm)" })
    .nullish()
    .transform((v) => v ?? ZERO_TIME);

  /** `{count, value}` list envelope; the decision is made on `count` (spec §3.4). */
  function listSchema<T extends Zod.ZodType>(item: T) {
    return ciObject({
      count: int64,
      value: z
        .array(item)
        .nullish()
        .transform((v) => v ?? []),
    });
  }

  const statistics = ciObject({
    totalAvailableJobs: int64,
    totalAcquiredJobs: int64,
    totalAssignedJobs: int64,
    totalRunningJobs: int64,
    totalRegisteredRunners: int64,
    totalBusyRunners: int64,
    totalIdleRunners: int64,
  });

  const label = ciObject({ type: str, name: str });

  const runnerSetting = ciObject({ disableUpdate: z.boolean().nullish() }).transform((s) =>
    typeof s.disableUpdate === "boolean" ? { disableUpdate: s.disableUpdate } : {},
  );

  const runnerScaleSet = ciObject({
    id: int64,
    name: str,
    runnerGroupId: int64,
    runnerGroupName: str,
    labels: z
      .array(label)
      .nullish()
      .transform((v) => v ?? []),
    runnerSetting: runnerSetting.nullish().transform((v) => v ?? {}),
    createdOn: time,
    runnerJitConfigUrl: str,
    statistics: statistics.nullish().transform((v) => v ?? undefined),
  });

  const runnerGroup = ciObject({ id: int64, name: str, size: int64, isDefaultGroup: bool });

  const runnerReference = ciObject({ id: int64, name: str, runnerScaleSetId: int64 });

  const jitConfig = ciObject({ runner: runnerReference, encodedJITConfig: z.string().min(1) });

  const session = ciObject({
    sessionId: z.string().regex(UUID, { message: "must be a UUID" }),
    ownerName: str,
    runnerScaleSet: runnerScaleSet.nullish().transform((v) => v ?? undefined),
    messageQueueUrl: z.url({ protocol: /^https?$/, message: "must be an absolute http(s) URL" }),
    messageQueueAccessToken: z.string().min(1),
    statistics,
  });

  // GetMessage (spec §4): the outer message, its body's elements and the four job messages.
  const jobBase = {
    runnerRequestId: int64,
    repositoryName: str,
    ownerName: str,
    jobId: str,
    jobWorkflowRef: str,
    jobDisplayName: str,
    workflowRunId: int64,
    eventName: str,
    requestLabels: z
      .array(z.string())
      .nullish()
      .transform((v) => v ?? []),
    queueTime: time,
    scaleSetAssignTime: time,
    runnerAssignTime: time,
    finishTime: time,
  };
  const message = {
    outer: ciObject({
      messageId: int64,
      messageType: str,
      body: str,
      statistics: statistics.nullish(),
    }),
    body: z.array(z.unknown()),
    element: ciObject({ messageType: z.string() }),
    jobAvailable: ciObject({ ...jobBase, acquireJobUrl: str }),
    jobAssigned: ciObject(jobBase),
    jobStarted: ciObject({ ...jobBase, runnerId: int64, runnerName: str }),
    jobCompleted: ciObject({ ...jobBase, result: str, runnerId: int64, runnerName: str }),
  };

  return {
    statistics,
    runnerScaleSet,
    runnerScaleSetList: listSchema(runnerScaleSet),
    runnerGroup,
    runnerGroupList: listSchema(runnerGroup),
    runnerReference,
    runnerReferenceList: listSchema(runnerReference),
    jitConfig,
    session,
    acquiredJobs: listSchema(int64),
    /** GitHub's registration / installation token response. */
    token: ciObject({ token: z.string().min(1) }),
    /** GitHub's runner-registration response (Actions-service URL and admin token). */
    registration: ciObject({ url: z.string().min(1), token: z.string().min(1) }),
    /** Not a response of its own: the parts of a GetMessage body (messages.ts). */
    message,
  };
}
