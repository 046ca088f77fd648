/**
 * Dispatches one received message, in the reference order: statistics → acquire available jobs
 * → JobStarted → JobCompleted → desired runner count. Acknowledging is the caller's business.
 * @module
 */
import type { Logger } from "../util/logger.js";
import type { RunnerScaleSetMessage } from "../wire/types.js";
import type { ListenerSession, MetricsRecorder, Scaler, ScalerContext } from "./types.js";

/** What {@link dispatchMessage} needs besides the message. */
export interface DispatchContext {
  session: ListenerSession;
  scaler: Scaler;
  metrics: MetricsRecorder | undefined;
  logger: Logger;
  ctx: ScalerContext;
}

/**
 * Runs the handling steps for `message` under `dc.ctx.signal`. Returns the desired runner count
 * the scaler answered. Any failure (client or scaler) is thrown as is; the caller decides.
 */
export async function dispatchMessage(
  message: RunnerScaleSetMessage,
  dc: DispatchContext,
): Promise<number> {
  const { session, scaler, metrics, logger, ctx } = dc;
  const available = message.jobAvailableMessages;
  if (available.length > 0) {
    const ids = available.map((job) => job.runnerRequestId);
    const acquired = await session.acquireJobs(ids, { signal: ctx.signal });
    logger.debug(
      { messageId: message.messageId, requested: ids.length, acquired: acquired.length },
      "acquired jobs",
    );
  }
  for (const job of message.jobStartedMessages) {
    metrics?.recordJobStarted?.(job);
    await scaler.handleJobStarted(job, ctx);
  }
  for (const job of message.jobCompletedMessages) {
    metrics?.recordJobCompleted?.(job);
    await scaler.handleJobCompleted(job, ctx);
  }
  const desired = await scaler.handleDesiredRunnerCount(message.statistics.totalAssignedJobs, ctx);
  metrics?.recordDesiredRunners?.(desired);
  return desired;
}
