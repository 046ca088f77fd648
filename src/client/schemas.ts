/**
 * zod schemas of the service's JSON responses, decoded the way Go's `encoding/json` does:
 * keys matched case-insensitively (exact match preferred), unknown keys ignored, `null` read as
 * the zero value. Integers must be safe integers: a 64-bit id above `Number.MAX_SAFE_INTEGER`
 * is an error, never a silently rounded number.
 * @module
 */
import { z } from "zod";
import { ZERO_TIME } from "../wire/types.js";

/** An object schema whose keys are matched case-insensitively, like Go's decoder. */
export function ciObject<T extends z.ZodRawShape>(shape: T) {
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
export const int64 = z
  .number()
  .refine(Number.isSafeInteger, {
    message:
      "must be an integer no larger than Number.MAX_SAFE_INTEGER (64-bit value would lose precision)",
  })
  .nullish()
  .transform((v) => v ?? 0);

/** A string (`null`/absent → ""). */
export const str = z
  .string()
  .nullish()
  .transform((v) => v ?? "");

/** A boolean (`null`/absent → false). */
export const bool = z
  .boolean()
  .nullish()
  .transform((v) => v ?? false);

/** RFC 3339 with a mandatory zone. */
export const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** An RFC 3339 timestamp with a mandatory zone (`null`/absent → the zero time). */
export const time = z
  .string()
  .regex(RFC3339, { message: "must be an RFC 3339 timestamp with a zone (Z or ±hh:mm)" })
  .nullish()
  .transform((v) => v ?? ZERO_TIME);

/** Fields of the runner scale set statistics (shared by the zod schema and the fast decoder). */
export const statisticsShape = {
  totalAvailableJobs: int64,
  totalAcquiredJobs: int64,
  totalAssignedJobs: int64,
  totalRunningJobs: int64,
  totalRegisteredRunners: int64,
  totalBusyRunners: int64,
  totalIdleRunners: int64,
};

export const statisticsSchema = ciObject(statisticsShape);

const labelSchema = ciObject({ type: str, name: str });

const runnerSettingSchema = ciObject({ disableUpdate: z.boolean().nullish() }).transform((s) =>
  typeof s.disableUpdate === "boolean" ? { disableUpdate: s.disableUpdate } : {},
);

export const runnerScaleSetSchema = ciObject({
  id: int64,
  name: str,
  runnerGroupId: int64,
  runnerGroupName: str,
  labels: z
    .array(labelSchema)
    .nullish()
    .transform((v) => v ?? []),
  runnerSetting: runnerSettingSchema.nullish().transform((v) => v ?? {}),
  createdOn: time,
  runnerJitConfigUrl: str,
  statistics: statisticsSchema.nullish().transform((v) => v ?? undefined),
});

export const runnerGroupSchema = ciObject({
  id: int64,
  name: str,
  size: int64,
  isDefaultGroup: bool,
});

export const runnerReferenceSchema = ciObject({ id: int64, name: str, runnerScaleSetId: int64 });

export const jitConfigSchema = ciObject({
  runner: runnerReferenceSchema,
  encodedJITConfig: z.string().min(1),
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const sessionSchema = ciObject({
  sessionId: z.string().regex(UUID, { message: "must be a UUID" }),
  ownerName: str,
  runnerScaleSet: runnerScaleSetSchema.nullish().transform((v) => v ?? undefined),
  messageQueueUrl: z.url({ protocol: /^https?$/, message: "must be an absolute http(s) URL" }),
  messageQueueAccessToken: z.string().min(1),
  statistics: statisticsSchema,
});

/** `{count, value}` list envelope; the decision is made on `count` (spec §3.4). */
export function listSchema<T extends z.ZodType>(item: T) {
  return ciObject({
    count: int64,
    value: z
      .array(item)
      .nullish()
      .transform((v) => v ?? []),
  });
}

export const acquiredJobsSchema = listSchema(int64);
