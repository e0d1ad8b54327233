import { useEffect, useRef, useState } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router-dom';
import { useQueryClient } from '@tanstack/react-query';
import { Result, Spin } from 'antd';
import { api, session } from '../api/client';
import type { SignInDto } from '../api/types';
import { takeLoginState } from './SignInPage';

/** The platform's redirect back: the state must be the one this tab stored, then the code is exchanged for our token. */
export function SignInCallbackPage() {
  const { platform } = useParams();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [error, setError] = useState<string | null>(null);
  const started = useRef(false);

  useEffect(() => {
    if (started.current) return;
    started.current = true;
    const { state, next } = takeLoginState();
    const code = params.get('authCode') ?? params.get('code');
    if (!state || params.get('state') !== state) {
      setError('登录请求已失效（state 不匹配），请重新扫码。');
      return;
    }
    if (!code) {
      setError('平台没有返回登录码，请重新扫码。');
      return;
    }
    const call =
      platform === 'dingtalk'
        ? api<SignInDto>('/auth/dingtalk-qr', { body: { authCode: code } })
        : platform === 'wecom-oauth'
          ? api<SignInDto>('/auth/wecom-oauth', { body: { code } })
          : api<SignInDto>('/auth/wecom-qr', { body: { code } });
    call
      .then((res) => {
        session.set(res.token);
        queryClient.clear();
        navigate(next, { replace: true });
      })
      .catch((e: Error) => setError(e.message));
  }, [params, platform, navigate, queryClient]);

  if (error) return <Result status="error" title="登录失败" subTitle={error} extra={<Link to="/login?manual=1">返回登录</Link>} />;
  return (
    <div style={{ padding: 96, textAlign: 'center' }}>
      <Spin size="large" tip="正在登录…">
        <div style={{ height: 80 }} />
      </Spin>
    </div>
  );
}
