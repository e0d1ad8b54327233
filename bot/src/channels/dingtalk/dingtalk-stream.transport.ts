import { DWClient, type DWClientDownStream } from 'dingtalk-stream';
import type { Logger } from 'pino';
import type { BotApp } from '../../core/bot-app';
import type { WorkQueue } from '../../core/work-queue';
import { cardCallbackToEvent, robotMessageToEvent, type DingTalkRobotMessage } from './dingtalk-event';

export const TOPIC_ROBOT = '/v1.0/im/bot/messages/get';
export const TOPIC_CARD = '/v1.0/card/instances/callback';

/**
 * DingTalk stream mode with the official `dingtalk-stream` SDK: an outbound WebSocket, no public URL.
 * Each push is acknowledged at once (so DingTalk does not re-push it), then stored and handled;
 * re-pushes are caught by the bot's dedupe on the message id.
 */
export class DingTalkStreamTransport {
  readonly client: DWClient;

  constructor(
    private readonly bot: BotApp,
    credentials: { clientId: string; clientSecret: string },
    private readonly log: Logger,
    private readonly work: WorkQueue,
  ) {
    this.client = new DWClient({ clientId: credentials.clientId, clientSecret: credentials.clientSecret, keepAlive: true });
    this.client.registerCallbackListener(TOPIC_ROBOT, (frame) => this.onRobot(frame));
    this.client.registerCallbackListener(TOPIC_CARD, (frame) => this.onCard(frame));
  }

  async start(): Promise<void> {
    await this.client.connect();
    this.log.info('DingTalk stream connected');
  }

  stop(): void {
    this.client.disconnect();
  }

  /**
   * Stored first, then acknowledged: a frame that could not be stored is not acknowledged, so DingTalk
   * delivers it again; a duplicate delivery is acknowledged and dropped.
   */
  private accept(frame: DWClientDownStream, toEvent: (data: unknown) => ReturnType<typeof robotMessageToEvent>): void {
    const ack = () => this.client.socketCallBackResponse(frame.headers.messageId, { status: 'SUCCESS' });
    void this.work.acknowledging(async () => {
      let data: unknown;
      try {
        data = JSON.parse(frame.data);
      } catch {
        this.log.warn({ messageId: frame.headers.messageId }, 'DingTalk stream frame with unreadable data ignored');
        return ack();
      }
      const event = toEvent(data);
      if (!event) return ack();
      let outcome: 'accepted' | 'duplicate';
      try {
        outcome = await this.bot.accept(event);
      } catch (err) {
        this.log.error(
          { err, messageId: frame.headers.messageId },
          'DingTalk stream event could not be stored; left unacknowledged so DingTalk sends it again',
        );
        return;
      }
      ack();
      if (outcome === 'accepted') this.work.push(() => this.bot.process(event));
    });
  }

  private onRobot(frame: DWClientDownStream): void {
    this.accept(frame, (d) => robotMessageToEvent(d as DingTalkRobotMessage, new Date()));
  }

  private onCard(frame: DWClientDownStream): void {
    this.accept(frame, (d) => cardCallbackToEvent(d as { userId?: string; outTrackId?: string; content?: string }, frame.headers.messageId, new Date()));
  }
}
