import { DWClient, EventAck, type DWClientDownStream, type EventAckData } from 'dingtalk-stream';
import type { Logger } from 'pino';
import type { BotEvent } from '../../core/bot-event';
import type { Inbound, Receiver } from '../../core/receiver';
import {
  cardCallbackToEvent,
  orgChangeOf,
  robotMessageToEvent,
  type DingTalkCardCallback,
  type DingTalkRobotMessage,
  type DirectoryChange,
} from './dingtalk-event';

export const TOPIC_ROBOT = '/v1.0/im/bot/messages/get';
export const TOPIC_CARD = '/v1.0/card/instances/callback';

/**
 * DingTalk stream mode with the official `dingtalk-stream` SDK: an outbound WebSocket, no public URL.
 * Each frame goes through the one inbound path (stored, then acknowledged, then handled); a frame that
 * could not be stored is left unacknowledged, so DingTalk pushes it again, and a re-push is caught by the
 * unique key on the message id.
 */
export class DingTalkStreamTransport implements Receiver {
  readonly channel = 'dingtalk' as const;
  readonly routers = [];
  readonly client: DWClient;

  constructor(
    private readonly inbound: Inbound,
    credentials: { clientId: string; clientSecret: string },
    private readonly log: Logger,
    private readonly onDirectoryChange?: (change: DirectoryChange) => void,
  ) {
    this.client = new DWClient({ clientId: credentials.clientId, clientSecret: credentials.clientSecret, keepAlive: true });
    this.client.registerCallbackListener(TOPIC_ROBOT, (frame) => this.onFrame(frame, (d) => robotMessageToEvent(d as DingTalkRobotMessage, new Date())));
    this.client.registerCallbackListener(TOPIC_CARD, (frame) =>
      this.onFrame(frame, (d) => cardCallbackToEvent(d as DingTalkCardCallback, frame.headers.messageId, new Date())),
    );
    // events (topic *): org changes (通讯录事件) start a directory sync; every event is acknowledged
    this.client.registerAllEventListener((frame) => this.onEvent(frame));
  }

  /** An EVENT frame: an org change is handed to the directory sync (which runs in the background); always SUCCESS. */
  onEvent(frame: Pick<DWClientDownStream, 'headers' | 'data'>): EventAckData {
    let data: unknown = null;
    try {
      data = JSON.parse(frame.data);
    } catch {
      // an event with unreadable data: its type alone still says what changed
    }
    const change = orgChangeOf(frame.headers.eventType, data);
    if (change && this.onDirectoryChange) {
      this.log.info({ eventType: change.changeType, eventId: frame.headers.eventId }, 'DingTalk org event: directory sync');
      this.onDirectoryChange(change);
    }
    return { status: EventAck.SUCCESS };
  }

  async init(): Promise<void> {}

  async start(): Promise<void> {
    await this.client.connect();
    this.log.info('DingTalk stream connected');
  }

  async stop(): Promise<void> {
    this.client.disconnect();
  }

  private onFrame(frame: DWClientDownStream, toEvent: (data: unknown) => BotEvent | null): void {
    const ack = () => this.client.socketCallBackResponse(frame.headers.messageId, { status: 'SUCCESS' });
    void this.inbound.acknowledging(async () => {
      let event: BotEvent | null = null;
      try {
        event = toEvent(JSON.parse(frame.data));
      } catch {
        this.log.warn({ messageId: frame.headers.messageId }, 'DingTalk stream frame with unreadable data ignored');
      }
      await this.inbound.receive(event, ack).catch((err: unknown) => {
        this.log.error(
          { err, messageId: frame.headers.messageId },
          'DingTalk stream event could not be stored; left unacknowledged so DingTalk sends it again',
        );
      });
    });
  }
}
