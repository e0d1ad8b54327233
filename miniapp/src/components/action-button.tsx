import { Button } from '@tarojs/components';
import type { ComponentProps } from 'react';

type Props = ComponentProps<typeof Button>;

/**
 * The one button of the mini-app. Taro's H5 runtime renders `disabled={false}` (and `loading={false}`) as the
 * attributes `disabled="false"` / `loading="false"`, and its `[disabled]` style then greys the label out: an
 * enabled 驳回 showed as an empty red box. So the flags are passed only when they are true. Pages import
 * this instead of Taro's `Button` (lint-enforced).
 */
export function ActionButton({ disabled, loading, ...rest }: Props) {
  return <Button {...rest} {...(disabled ? { disabled: true } : {})} {...(loading ? { loading: true } : {})} />;
}
