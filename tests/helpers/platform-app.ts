import { FakeDingTalkServer } from '../fakes/fake-dingtalk-server';
import { FakeWeComServer } from '../fakes/fake-wecom-server';
import { startTestApp, type TestApp } from './test-app';
import { WECOM_TEST_APP, WECOM_TEST_ENV } from './wecom-packets';

/** The app with both platforms configured against their fakes (the sign-in tests); `close` stops all three. */
export async function startPlatformApp(
  ding: { clientId: string; clientSecret: string; robotCode: string },
  opts: { loginPages?: boolean } = {},
): Promise<{ t: TestApp; wecom: FakeWeComServer; ding: FakeDingTalkServer; close: () => Promise<void> }> {
  const wecom = await new FakeWeComServer(WECOM_TEST_APP).start();
  const fakeDing = await new FakeDingTalkServer(ding).start();
  const t = await startTestApp({
    ...WECOM_TEST_ENV(wecom.baseUrl),
    DINGTALK_CLIENT_ID: ding.clientId,
    DINGTALK_CLIENT_SECRET: ding.clientSecret,
    DINGTALK_ROBOT_CODE: ding.robotCode,
    DINGTALK_API_BASE: fakeDing.baseUrl,
    DINGTALK_OAPI_BASE: fakeDing.baseUrl,
    // the QR-code sign-in pages (网页登录 / 扫码登录) are the fakes' too
    ...(opts.loginPages ? { WECOM_LOGIN_BASE: wecom.baseUrl, DINGTALK_LOGIN_BASE: fakeDing.baseUrl } : {}),
  });
  return {
    t,
    wecom,
    ding: fakeDing,
    close: async () => {
      await t.close();
      await wecom.stop();
      await fakeDing.stop();
    },
  };
}
