import type { BotApp } from '../core/bot-app';
import type { ChannelName } from '../core/bot-event';
import type { Channel } from '../core/channel';
import type { OrgService } from '@crm/api';
import { Notifier } from './notifier';

/** The channels as createBot registers them: identity field and preference (registration order must not matter). */
const KNOWN: Array<Pick<Channel, 'name' | 'identity' | 'preference'>> = [
  { name: 'sandbox', identity: 'wecom', preference: 9 },
  { name: 'dingtalk', identity: 'dingtalk', preference: 2 },
  { name: 'wecom', identity: 'wecom', preference: 1 },
];
const botWith = (channels: ChannelName[]) =>
  ({
    channels: () =>
      KNOWN.filter((c) => channels.includes(c.name))
        .sort((a, b) => a.preference - b.preference)
        .map((c) => c as Channel),
  }) as unknown as BotApp;
const org = {} as OrgService;

describe('Notifier.route: the first configured channel on which the user has an identity', () => {
  it.each([
    { channels: ['wecom', 'dingtalk', 'sandbox'], ids: { wecom: 'w1', dingtalk: 'd1' }, want: { channel: 'wecom', platformUserId: 'w1' } },
    { channels: ['dingtalk', 'sandbox'], ids: { wecom: 'w1', dingtalk: 'd1' }, want: { channel: 'dingtalk', platformUserId: 'd1' } },
    { channels: ['wecom', 'dingtalk'], ids: { dingtalk: 'd1' }, want: { channel: 'dingtalk', platformUserId: 'd1' } },
    { channels: ['sandbox'], ids: { wecom: 'w1', dingtalk: 'd1' }, want: { channel: 'sandbox', platformUserId: 'w1' } },
    { channels: ['sandbox'], ids: { dingtalk: 'd1' }, want: null },
    { channels: [], ids: { wecom: 'w1' }, want: null },
  ] as const)('$channels with $ids', ({ channels, ids, want }) => {
    expect(new Notifier(botWith([...channels]), org).route({ identities: { ...ids } })).toEqual(want);
  });
});
