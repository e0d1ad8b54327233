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
  /** The failure's HTTP status: 403 / 404 (not there, or not yours) offer 返回 instead of 重试. */
  errorStatus?: number | null;
  onBack?: () => void;
  children?: ReactNode;
}

/** Failures that a retry will not fix. */
const FINAL = [400, 403, 404, 410];

/** Loading, error (with retry) and empty states, the same on every page; children when there is something to show. */
export function StateView({ state, error, empty, emptyText = '暂无数据', loadingText = '加载中…', onRetry, errorStatus, onBack, children }: Props) {
  if (state === 'loading')
    return (
      <View className="state state-loading">
        <Text>{loadingText}</Text>
      </View>
    );
  if (state === 'error' && errorStatus && FINAL.includes(errorStatus))
    return (
      <View className="state state-error">
        <Text className="state-title">无法查看</Text>
        <Text className="state-text">{error || '记录不存在或无权查看'}</Text>
        {onBack ? (
          <ActionButton className="btn btn-small state-back" onClick={onBack}>
            返回
          </ActionButton>
        ) : null}
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
