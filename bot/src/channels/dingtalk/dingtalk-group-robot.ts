import { platformHttp, renderSafeText, type SafeText } from '@crm/shared';
import { signGroupWebhook } from './dingtalk-crypto';

/**
 * A DingTalk custom group robot (自定义机器人) for team channels: one-way markdown posts to a group's
 * webhook, signed with the robot's `SEC…` secret (加签). DingTalk allows 20 messages a minute per robot.
 */
export class DingTalkGroupRobot {
  private readonly http = platformHttp();

  constructor(
    private readonly webhookUrl: string,
    private readonly secret: string,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** `text` is built with `md\`…\``: user text in it is escaped as DingTalk markdown. */
  async markdown(title: string, text: SafeText, atUserIds: string[] = []): Promise<void> {
    const { timestamp, sign } = signGroupWebhook(this.secret, this.now());
    const url = `${this.webhookUrl}${this.webhookUrl.includes('?') ? '&' : '?'}timestamp=${timestamp}&sign=${sign}`;
    const res = await this.http.post<{ errcode?: number; errmsg?: string }>(url, {
      msgtype: 'markdown',
      markdown: { title, text: renderSafeText(text, 'dingtalk-markdown') },
      at: { atUserIds },
    });
    if (res.status !== 200 || (res.data.errcode ?? 0) !== 0) {
      throw new Error(`DingTalk group robot refused the message: ${res.status} ${res.data.errcode ?? ''} ${res.data.errmsg ?? ''}`);
    }
  }
}
