import { Text, View } from '@tarojs/components';
import type { ReactNode } from 'react';
import type { LoadState } from '../hooks/use-async';
import { ActionButton } from './action-button';

interface Props {
  state: LoadState;
  error?: string;
  empty?: boolean;
  emptyText?: string;
  loadingText?: string;
  onRetry?: () => void;
  children?: ReactNode;
}

/** Loading, error (with retry) and empty states, the same on every page; children when there is something to show. */
export function StateView({ state, error, empty, emptyText = '暂无数据', loadingText = '加载中…', onRetry, children }: Props) {
  if (state === 'loading')
    return (
      <View className="state state-loading">
        <Text>{loadingText}</Text>
      </View>
    );
  if (state === 'error')
    return (
      <View className="state state-error">
        <Text className="state-title">加载失败</Text>
        <Text className="state-text">{error || '请稍后再试'}</Text>
        {onRetry ? (
          <ActionButton className="btn btn-small" onClick={onRetry}>
            重试
          </ActionButton>
        ) : null}
      </View>
    );
  if (empty)
    return (
      <View className="state state-empty">
        <Text>{emptyText}</Text>
      </View>
    );
  return <>{children}</>;
}
