import { Input, Text, View } from '@tarojs/components';
import Taro, { useRouter } from '@tarojs/taro';
import { useEffect, useState } from 'react';
import { StateView } from '../../components/state-view';
import { useAsync } from '../../hooks/use-async';
import { inWeComBrowser, wecomOAuthUrl } from '../../platform/platform-code';
import { ROUTES } from '../../platform/ui';
import { session } from '../../services';
import { ActionButton } from '../../components/action-button';

/**
 * Sign-in: inside WeCom / DingTalk the platform code signs in without a tap; H5 inside WeCom goes through
 * the OAuth2 redirect; in the sandbox or development, pick a demo user. Every way ends in the same token.
 */
export default function LoginPage() {
  const router = useRouter();
  const back = router.params.back ? decodeURIComponent(router.params.back) : ROUTES.search;
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState('');
  const [login, setLogin] = useState('');
  const options = useAsync(() => session.options(), []);

  const done = () => void Taro.redirectTo({ url: back });

  useEffect(() => {
    // a platform code (WeCom / DingTalk / back from OAuth) signs in at once
    setBusy(true);
    session
      .autoSignIn()
      .then(async (user) => {
        if (!user) return;
        await session.loadPermissions().catch(() => undefined);
        done();
      })
      .catch((err: Error) => setMessage(err.message))
      .finally(() => setBusy(false));
  }, []);

  useEffect(() => {
    const o = options.data;
    if (o?.wecomOAuth && inWeComBrowser() && typeof window !== 'undefined' && !window.location.search.includes('code=')) {
      window.location.href = wecomOAuthUrl(o.wecomOAuth.corpId, o.wecomOAuth.agentId, `${window.location.origin}/app/${window.location.hash}`);
    }
  }, [options.data]);

  const pick = async (who: string) => {
    if (!who.trim() || busy) return;
    setBusy(true);
    setMessage('');
    try {
      await session.signInAsDemo(who.trim());
      await session.loadPermissions().catch(() => undefined);
      done();
    } catch (err) {
      setMessage((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <View className="page login">
      <View className="login-head">
        <Text className="login-title">客户助手</Text>
        <Text className="muted">企业微信、钉钉内打开会自动登录</Text>
      </View>
      {message ? (
        <View className="notice notice-bad">
          <Text>{message}</Text>
        </View>
      ) : null}
      {busy ? (
        <View className="state">
          <Text>正在登录…</Text>
        </View>
      ) : null}
      <StateView state={options.state} error={options.error} onRetry={options.reload}>
        {options.data?.devLogin ? (
          <View className="card">
            <Text className="card-title">选择演示用户（开发/沙盒）</Text>
            {options.data.demoUsers.map((u) => (
              <View key={u.login} className="list-item demo-user" onClick={() => void pick(u.login)}>
                <Text className="item-title">{u.name}</Text>
                <Text className="muted">
                  {u.login}
                  {u.title ? ` · ${u.title}` : ''}
                </Text>
              </View>
            ))}
            <View className="row">
              <Input className="input grow" placeholder="或输入登录名" value={login} onInput={(e) => setLogin(e.detail.value)} />
              <ActionButton className="btn btn-small" onClick={() => void pick(login)}>
                登录
              </ActionButton>
            </View>
          </View>
        ) : (
          <View className="card">
            <Text>请在企业微信或钉钉的工作台中打开本应用。</Text>
          </View>
        )}
      </StateView>
    </View>
  );
}
