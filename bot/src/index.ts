import type Router from '@koa/router';
import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import type { Config } from '@crm/config';
import type { AppState } from '../../api/src/context';
import type { Services } from '../../api/src/services';
import { BotApp } from './core/bot-app';
import { SandboxAdapter } from './channels/sandbox/sandbox.adapter';
import { sandboxRoutes } from './channels/sandbox/sandbox.routes';
import { registerCrmListeners } from './listeners/crm.listeners';

export type { BotEvent, Card, ChannelAdapter, OutboundMessage } from './core/bot-event';
export { BotApp } from './core/bot-app';

export interface Bot {
  app: BotApp;
  sandbox: SandboxAdapter | null;
  routers: Array<Router<AppState>>;
}

/** Builds the bot with every configured channel and its HTTP routes. */
export function createBot(deps: { conn: Connection; services: Services; logger: Logger; config: Config }): Bot {
  const app = new BotApp({
    conn: deps.conn,
    services: deps.services,
    logger: deps.logger.child({ component: 'bot' }),
    publicBaseUrl: deps.config.http.publicBaseUrl,
  });
  registerCrmListeners(app);
  const routers: Array<Router<AppState>> = [];
  let sandbox: SandboxAdapter | null = null;
  if (deps.config.sandbox) {
    sandbox = new SandboxAdapter(deps.conn);
    app.use(sandbox);
    routers.push(sandboxRoutes(app, sandbox, deps.services.org));
  }
  return { app, sandbox, routers };
}
