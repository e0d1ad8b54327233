import { Text, View } from '@tarojs/components';
import { back } from '../platform/ui';
import { ActionButton } from './action-button';

/** What a read-only account (a partner) sees instead of a form it may not send: why, and the way back. */
export function ReadOnlyView({ what }: { what: string }) {
  return (
    <View className="state state-readonly">
      <Text className="state-title">只读账号</Text>
      <Text className="state-text">你的账号只能查看共享给你的客户，不能{what}。</Text>
      <ActionButton className="btn btn-small state-back" onClick={() => back()}>
        返回
      </ActionButton>
    </View>
  );
}
