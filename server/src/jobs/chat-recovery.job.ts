import type { Job } from './runner';

export const CHAT_RECOVERY_JOB = 'chat-event-recovery';

/**
 * Chat events acknowledged by a process that stopped before handling them (`BotApp.recoverPending`): picked up
 * at start and every minute. Each record is claimed with its own lease, so every process may run this.
 */
export function chatRecoveryJob(deps: { recoverPending: () => Promise<unknown>; everyMs?: number }): Job {
  return {
    name: CHAT_RECOVERY_JOB,
    everyMs: deps.everyMs ?? 60_000,
    async run() {
      await deps.recoverPending();
    },
  };
}
