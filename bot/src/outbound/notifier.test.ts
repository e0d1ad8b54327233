import type { BotApp } from '../core/bot-app';
import type { ChannelName } from '../core/bot-event';
import type { OrgService } from '../../../api/src/modules/org/org.service';
import { Notifier } from './notifier';

const botWith = (channels: ChannelName[]) => ({ adapter: (name: ChannelName) => (channels.includes(name) ? {} : undefined) }) as unknown as BotApp;
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
