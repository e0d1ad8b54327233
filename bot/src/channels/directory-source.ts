import type { Logger } from 'pino';
import type { Config } from '@crm/config';
import type { DirectorySource } from '@crm/api';
import { DingTalkDirectory } from './dingtalk/dingtalk-directory';
import { WeComDirectory } from './wecom/wecom-directory';

/**
 * The directory the sync reads (config DIRECTORY_SOURCE), built beside the platform's other clients; null when
 * no sync is configured or the platform itself is not. WeCom uses the contact-sync secret (DIRECTORY_WECOM_SECRET,
 * else the app's secret).
 */
export function createDirectorySource(config: Config, logger: Logger): DirectorySource | null {
  const log = logger.child({ component: 'directory' });
  if (config.directory.source === 'wecom' && config.wecom)
    return new WeComDirectory({ corpId: config.wecom.corpId, secret: config.directory.wecomSecret ?? config.wecom.secret, apiBase: config.wecom.apiBase }, log);
  if (config.directory.source === 'dingtalk' && config.dingtalk)
    return new DingTalkDirectory({ clientId: config.dingtalk.clientId, clientSecret: config.dingtalk.clientSecret, oapiBase: config.dingtalk.oapiBase }, log);
  return null;
}
