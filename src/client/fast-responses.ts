/**
 * Hand-written decoders of the Actions-service and GitHub responses, one per schema of
 * schemas.ts and giving the same output (see fast-decode.ts for why: zod is only loaded to
 * explain a response these refuse).
 * @module
 */
import type { z } from "zod";
import type {
  Label,
  ListResponse,
  RunnerGroup,
  RunnerReference,
  RunnerScaleSet,
  RunnerScaleSetJitRunnerConfig,
  RunnerScaleSetSession,
  RunnerScaleSetStatistic,
  RunnerSetting,
} from "../wire/types.js";
import {
  ABSENT,
  BAD,
  type FastDecoder,
  fastObject,
  field,
  isRecord,
  nullishObject,
  type Reader,
  readArray,
  readBool,
  readHttpUrl,
  readInt64,
  readNonEmpty,
  readStr,
  readTime,
  readUuid,
  required,
} from "./fast-decode.js";
import type { ZodSchemas } from "./schemas.js";

/** The schemas that decode a whole response body. */
export type ResponseName = Exclude<keyof ZodSchemas, "message">;
/** What the schema `K` decodes to. */
export type Decoded<K extends ResponseName> = z.output<ZodSchemas[K]>;

export const fastStatistics = fastObject<RunnerScaleSetStatistic>({
  totalAvailableJobs: readInt64,
  totalAcquiredJobs: readInt64,
  totalAssignedJobs: readInt64,
  totalRunningJobs: readInt64,
  totalRegisteredRunners: readInt64,
  totalBusyRunners: readInt64,
  totalIdleRunners: readInt64,
});

const fastLabel = fastObject<Label>({ type: readStr, name: readStr });

/** `runnerSetting`: `{}` unless `disableUpdate` is a boolean (`null`/absent → `{}`). */
const readRunnerSetting: Reader<RunnerSetting> = (v) => {
  if (v === null || v === undefined || v === ABSENT) return {};
  if (!isRecord(v)) return BAD;
  const disableUpdate = field(v, "disableUpdate", "disableupdate");
  if (typeof disableUpdate === "boolean") return { disableUpdate };
  return disableUpdate === null || disableUpdate === undefined || disableUpdate === ABSENT
    ? {}
    : BAD;
};

export const fastRunnerScaleSet = fastObject<RunnerScaleSet>({
  id: readInt64,
  name: readStr,
  runnerGroupId: readInt64,
  runnerGroupName: readStr,
  labels: readArray(required(fastLabel)),
  runnerSetting: readRunnerSetting,
  createdOn: readTime,
  runnerJitConfigUrl: readStr,
  statistics: nullishObject(fastStatistics),
});

export const fastRunnerGroup = fastObject<RunnerGroup>({
  id: readInt64,
  name: readStr,
  size: readInt64,
  isDefaultGroup: readBool,
});

export const fastRunnerReference = fastObject<RunnerReference>({
  id: readInt64,
  name: readStr,
  runnerScaleSetId: readInt64,
});

export const fastJitConfig = fastObject<RunnerScaleSetJitRunnerConfig>({
  runner: required(fastRunnerReference),
  encodedJITConfig: readNonEmpty,
});

export const fastSession = fastObject<RunnerScaleSetSession>({
  sessionId: readUuid,
  ownerName: readStr,
  runnerScaleSet: nullishObject(fastRunnerScaleSet),
  messageQueueUrl: readHttpUrl,
  messageQueueAccessToken: readNonEmpty,
  statistics: required(fastStatistics),
});

/** A `{count, value}` list of `item`. */
export function fastList<T>(item: Reader<T>): FastDecoder<ListResponse<T>> {
  return fastObject<ListResponse<T>>({ count: readInt64, value: readArray(item) });
}

/** The fast decoder of every response schema (checked against the zod output types). */
export const fastDecoders = {
  statistics: fastStatistics,
  runnerScaleSet: fastRunnerScaleSet,
  runnerScaleSetList: fastList(required(fastRunnerScaleSet)),
  runnerGroup: fastRunnerGroup,
  runnerGroupList: fastList(required(fastRunnerGroup)),
  runnerReference: fastRunnerReference,
  runnerReferenceList: fastList(required(fastRunnerReference)),
  jitConfig: fastJitConfig,
  session: fastSession,
  acquiredJobs: fastList(readInt64),
  token: fastObject<{ token: string }>({ token: readNonEmpty }),
  registration: fastObject<{ url: string; token: string }>({
    url: readNonEmpty,
    token: readNonEmpty,
  }),
} satisfies { [K in ResponseName]: FastDecoder<Decoded<K>> };
