import type { ChannelAdapter, ChannelName } from './bot-event';
import type { Receiver } from './receiver';
import type { TokenStatus } from '@crm/shared';
import type { WeComExternalContacts } from '../channels/wecom/wecom-external-contact';

/** Which of a CRM user's platform identities (`user.identities`) is their id on a channel. */
export type IdentityField = 'wecom' | 'dingtalk';

/**
 * What a channel contributes to the bot: how it sends (adapter), how deliveries come in (receiver), and
 * which identity of a user it speaks to. The bot core and the notifier know channels only through this.
 */
export interface Channel {
  readonly name: ChannelName;
  readonly identity: IdentityField;
  /** When a user is reachable on several channels, the lowest preference wins (WeCom, then DingTalk, then the sandbox). */
  readonly preference: number;
  readonly adapter: ChannelAdapter;
  readonly receiver: Receiver;
  /** For /readyz: how the platform's last token fetch went (cached, never a live call). Absent for the sandbox. */
  readonly tokenStatus?: () => TokenStatus;
  /** WeCom only: customer contact (客户联系) transfers for hand-overs. */
  readonly externalContacts?: WeComExternalContacts;
}
