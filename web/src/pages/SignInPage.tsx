import { useEffect, useRef, useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router-dom';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Divider, List, Space, Spin, Typography } from 'antd';
import { QrcodeOutlined, UserOutlined } from '@ant-design/icons';
import { api, session } from '../api/client';
import type { AuthOptionsDto, SignInDto } from '../api/types';

const STATE_KEY = 'crm.console.login-state';
const NEXT_KEY = 'crm.console.login-next';
export type WebLoginPlatform = 'wecom' | 'wecom-oauth' | 'dingtalk';

/** Where to land after signing in: a path inside the workbench only (never another site). */
export function safeNext(next: string | null): string {
  if (!next || !next.startsWith('/console') || next.startsWith('/console/login')) return '/';
  return next.slice('/console'.length) || '/';
}

export function takeLoginState(): { state: string | null; next: string } {
  const state = sessionStorage.getItem(STATE_KEY);
  const next = sessionStorage.getItem(NEXT_KEY);
  sessionStorage.removeItem(STATE_KEY);
  sessionStorage.removeItem(NEXT_KEY);
  return { state, next: safeNext(next) };
}

/** Sends the browser to the platform's sign-in page (QR code outside the clients, silent inside them). */
async function startPlatformSignIn(platform: WebLoginPlatform, next: string | null): Promise<void> {
  const bytes = crypto.getRandomValues(new Uint8Array(18));
  const state = btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
  sessionStorage.setItem(STATE_KEY, state);
  sessionStorage.setItem(NEXT_KEY, next ?? '/console/');
  const { url } = await api<{ url: string }>('/auth/web-login', { query: { platform, state } });
  location.assign(url);
}

const inWeCom = () => /wxwork/i.test(navigator.userAgent);
const inDingTalk = () => /DingTalk/i.test(navigator.userAgent);

export function SignInPage() {
  const [params] = useSearchParams();
  const next = params.get('next');
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { message } = App.useApp();
  const options = useQuery({ queryKey: ['auth-options'], queryFn: () => api<AuthOptionsDto>('/auth/options') });
  const [busy, setBusy] = useState<string | null>(null);
  const autoStarted = useRef(false);

  // inside the WeCom / DingTalk desktop client: the same OAuth sign-in as the mini-app, without a click
  useEffect(() => {
    const o = options.data;
    if (!o || autoStarted.current || params.get('manual')) return;
    const platform: WebLoginPlatform | null = inWeCom() && o.wecomOAuth ? 'wecom-oauth' : inDingTalk() && o.qrLogin?.dingtalk ? 'dingtalk' : null;
    if (!platform) return;
    autoStarted.current = true;
    setBusy(platform);
    startPlatformSignIn(platform, next).catch((e: Error) => {
      setBusy(null);
      void message.error(e.message);
    });
  }, [options.data, next, params, message]);

  const platform = (p: WebLoginPlatform) => {
    setBusy(p);
    startPlatformSignIn(p, next).catch((e: Error) => {
      setBusy(null);
      void message.error(e.message);
    });
  };

  const devLogin = async (login: string) => {
    setBusy(login);
    try {
      const res = await api<SignInDto>('/auth/dev-login', { body: { login } });
      session.set(res.token);
      queryClient.clear();
      navigate(safeNext(next), { replace: true });
    } catch (e) {
      void message.error((e as Error).message);
      setBusy(null);
    }
  };

  const o = options.data;
  const qr = o?.qrLogin ?? { wecom: false, dingtalk: false };
  return (
    <div className="sign-in-wrap">
      <Card
        className="sign-in-card"
        title={
          <Typography.Title level={3} style={{ margin: '8px 0' }}>
            CRM 工作台 · 登录
          </Typography.Title>
        }
      >
        {options.isLoading && <Spin />}
        {options.isError && <Alert type="error" message="无法连接服务器" description={options.error.message} />}
        {o && (
          <Space direction="vertical" size="middle" style={{ width: '100%' }}>
            {qr.wecom && (
              <Button block size="large" icon={<QrcodeOutlined />} loading={busy === 'wecom'} onClick={() => platform('wecom')} className="qr-wecom">
                企业微信扫码登录
              </Button>
            )}
            {qr.dingtalk && (
              <Button block size="large" icon={<QrcodeOutlined />} loading={busy === 'dingtalk'} onClick={() => platform('dingtalk')} className="qr-dingtalk">
                钉钉扫码登录
              </Button>
            )}
            {!qr.wecom && !qr.dingtalk && !o.devLogin && (
              <Alert type="info" message="尚未配置企业微信或钉钉" description="请管理员配置企业微信（WECOM_*）或钉钉（DINGTALK_*）后再登录。" />
            )}
            {o.devLogin && (
              <>
                <Divider plain>开发登录（仅本机）</Divider>
                <List
                  size="small"
                  dataSource={o.demoUsers}
                  renderItem={(u) => (
                    <List.Item
                      className="demo-user"
                      actions={[
                        <Button key="go" type="link" loading={busy === u.login} onClick={() => void devLogin(u.login)}>
                          登录
                        </Button>,
                      ]}
                    >
                      <List.Item.Meta avatar={<UserOutlined />} title={u.name} description={u.title ?? u.login} />
                    </List.Item>
                  )}
                />
              </>
            )}
          </Space>
        )}
      </Card>
    </div>
  );
}
