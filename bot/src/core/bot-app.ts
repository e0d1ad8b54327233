import type { Collection } from 'mongodb';
import type { Connection, Model } from 'mongoose';
import type { Logger } from 'pino';
import { can, ROLE_LABELS, type Permission, type Role } from '@crm/shared';
import { AppError, type Actor, type Metrics, type RequestMeta, type UserDoc, type Services } from '@crm/api';
import type { BotEvent, Card, ChannelAdapter, ChannelName, OutboundMessage, SendResult } from './bot-event';
import type { Channel } from './channel';
import { friendlyError } from './bot-errors';
import { inboundModel, type InboundRecord } from './inbound.model';
import { InboundWriter } from './inbound-writer';
import { pendingPromptModel, type PendingPrompt } from './pending-prompt.model';

/** How long a question asked in chat waits for its answer by default. */
const PROMPT_TTL_MS = 15 * 60_000;
const CANCEL_WORDS = ['取消', '算了', 'cancel'];

/** How long a worker may hold an accepted event before another may take it over (default; CHAT_EVENT_LEASE_MS). */
const LEASE_MS = 60_000;
const MAX_ATTEMPTS = 5;

export interface BotContext {
  event: BotEvent;
  user: UserDoc;
  actor: Actor;
  /** Request meta for services: audit entries from chat carry channel `bot`. */
  meta: RequestMeta;
  services: Services;
  /** Link into the mini-app / web for this deployment. */
  appUrl(path: string): string;
  reply(message: OutboundMessage): Promise<SendResult>;
  /** Redraws this user's card `card.taskId` (the tapped one): false when the platform allows no redraw now. */
  updateCard(card: Card): Promise<boolean>;
  /**
   * Makes this user's next message the answer to a question (handled by the listener registered with
   * `bot.prompt(kind, …)`); a command still runs as a command, and "取消" drops the question.
   */
  ask(kind: string, args: string[], ttlMs?: number): Promise<void>;
}

type Handler<A> = (ctx: BotContext, arg: A) => Promise<void>;
export type PromptAnswer = { text: string; args: string[]; askedAt: Date };

interface CommandListener {
  words: string[];
  help: string;
  handler: Handler<string>;
  /** What the user's roles must grant (shared/src/org/roles.ts); the command is hidden from 帮助 and refused otherwise. */
  permission?: Permission;
}

export interface BotAppOptions {
  conn: Connection;
  services: Services;
  logger: Logger;
  publicBaseUrl: string;
  /** `crm_inbound_events_total{channel,outcome}`: stored, duplicate, handled, unknown_user, failed. */
  metrics?: Metrics;
  /** How long an accepted event stays with the process handling it before recovery may take it (default 60 s). */
  eventLeaseMs?: number;
}

/**
 * The bot core: listeners registered like routes (actions by key, commands by leading word, free
 * text), one dispatch path for every channel, dedupe of platform retries, identity and scope.
 */
export class BotApp {
  private readonly registered = new Map<ChannelName, Channel>();
  private readonly actions = new Map<string, Handler<string[]>>();
  private readonly commands: CommandListener[] = [];
  private messageHandler: Handler<string> | null = null;
  private enterHandler: Handler<void> | null = null;
  private readonly prompts = new Map<string, Handler<PromptAnswer>>();
  private readonly inbound: Model<InboundRecord>;
  private readonly pending: Model<PendingPrompt>;

  /** Inserts accepted deliveries in small batches (one round trip for many callbacks). */
  private readonly writer: InboundWriter;

  constructor(private readonly opts: BotAppOptions) {
    this.inbound = inboundModel(opts.conn);
    this.pending = pendingPromptModel(opts.conn);
    // the driver's collection itself: mongoose's wrapper adds nothing the hot path needs
    this.writer = new InboundWriter(() => (this.inbound.collection as unknown as { collection: Collection }).collection);
  }

  /** Registers a channel: its adapter, its receiver and the identity field its users are known by. */
  use(channel: Channel): this {
    if (this.registered.has(channel.name)) throw new Error(`channel ${channel.name} registered twice`);
    this.registered.set(channel.name, channel);
    return this;
  }

  adapter(name: ChannelName): ChannelAdapter | undefined {
    return this.registered.get(name)?.adapter;
  }

  channel(name: ChannelName): Channel | undefined {
    return this.registered.get(name);
  }

  /** Every registered channel, the preferred first (where a user reachable on several is sent to). */
  channels(): Channel[] {
    return [...this.registered.values()].sort((a, b) => a.preference - b.preference);
  }

  /** Card buttons: key `name:arg1:arg2` reaches the handler registered for `name` with [arg1, arg2]. */
  action(name: string, handler: Handler<string[]>): this {
    if (this.actions.has(name)) throw new Error(`action ${name} registered twice`);
    this.actions.set(name, handler);
    return this;
  }

  /**
   * A command is a leading word (查 / cx); the rest of the text is its argument. With `permission`, only users
   * whose roles grant it see it in 帮助 and may run it.
   */
  command(words: string[], help: string, handler: Handler<string>, opts: { permission?: Permission } = {}): this {
    this.commands.push({ words, help, handler, permission: opts.permission });
    return this;
  }

  /** The listener for answers to questions of this kind (see BotContext.ask). */
  prompt(kind: string, handler: Handler<PromptAnswer>): this {
    if (this.prompts.has(kind)) throw new Error(`prompt ${kind} registered twice`);
    this.prompts.set(kind, handler);
    return this;
  }

  message(handler: Handler<string>): this {
    this.messageHandler = handler;
    return this;
  }

  enter(handler: Handler<void>): this {
    this.enterHandler = handler;
    return this;
  }

  /** The command a message starts with (its listener and the word it used), if any. */
  private commandFor(text: string): { c: CommandListener; w: string } | null {
    for (const c of this.commands) {
      for (const w of c.words) {
        if (text === w || text.startsWith(`${w} `) || text.startsWith(`${w}\u3000`) || (/[\u4e00-\u9fff]$/.test(w) && text.startsWith(w))) return { c, w };
      }
    }
    return null;
  }

  /** False when `text` starts a command these roles may not run (the sandbox offers a user only what they can do). */
  mayRun(text: string, roles: readonly Role[]): boolean {
    const permission = this.commandFor(text.trim())?.c.permission;
    return !permission || can(roles, permission);
  }

  /** The help line of every command these roles may run (all commands when no roles are given). */
  helpLines(roles?: readonly Role[]): string[] {
    return this.commands.filter((c) => !roles || !c.permission || can(roles, c.permission)).map((c) => c.help);
  }

  /** A refusal said once, with what this user can do instead. */
  refusal(roles: readonly Role[], message = '你没有权限做这个操作'): string {
    const role = roles.map((r) => ROLE_LABELS[r]).join('、');
    const instead = this.helpLines(roles).filter((l) => !l.startsWith('帮助'));
    const head = `${message}${role ? `（你的角色：${role}）` : ''}。`;
    return instead.length ? `${head}\n你可以：\n${instead.map((l) => `· ${l}`).join('\n')}` : head;
  }

  /**
   * Records a delivery before it is acknowledged. 'duplicate' when it was seen before (a platform
   * retry, a double tap): the caller acknowledges it and does nothing else.
   */
  async accept(event: BotEvent, leaseMs = this.opts.eventLeaseMs ?? LEASE_MS): Promise<'accepted' | 'duplicate'> {
    const now = new Date();
    const fresh = await this.writer.insert({
      key: `${event.channel}:${event.dedupeKey}`,
      channel: event.channel,
      platformUserId: event.platformUserId,
      receivedAt: event.receivedAt,
      event,
      handledAt: null,
      leaseUntil: new Date(now.getTime() + leaseMs),
      attempts: 1,
    });
    this.opts.metrics?.inboundEvents.inc({ channel: event.channel, outcome: fresh ? 'stored' : 'duplicate' });
    return fresh ? 'accepted' : 'duplicate';
  }

  /** Accepts and handles in one go (the sandbox, and tests). */
  async handle(event: BotEvent): Promise<'handled' | 'duplicate' | 'unknown-user'> {
    if ((await this.accept(event)) === 'duplicate') return 'duplicate';
    return this.process(event);
  }

  /**
   * Handles an accepted event, then marks it handled. Never throws: failures become a friendly reply
   * and a log line.
   */
  async process(event: BotEvent): Promise<'handled' | 'unknown-user'> {
    const result = await this.run(event);
    await this.inbound.updateOne({ key: `${event.channel}:${event.dedupeKey}` }, { $set: { handledAt: new Date(), leaseUntil: null } }).exec();
    return result;
  }

  /**
   * Events accepted but never handled (their process died after the acknowledgement): each is claimed
   * with a lease, so several instances never run the same one twice, and handled.
   */
  async recoverPending(limit = 100): Promise<number> {
    let recovered = 0;
    for (; recovered < limit; recovered++) {
      const now = new Date();
      const claimed = await this.inbound
        .findOneAndUpdate(
          { handledAt: null, leaseUntil: { $lt: now }, attempts: { $lt: MAX_ATTEMPTS } },
          { $set: { leaseUntil: new Date(now.getTime() + (this.opts.eventLeaseMs ?? LEASE_MS)) }, $inc: { attempts: 1 } },
          { returnDocument: 'after', sort: { receivedAt: 1 } },
        )
        .lean()
        .exec();
      if (!claimed) break;
      const event = { ...claimed.event, receivedAt: new Date(claimed.event.receivedAt) };
      this.opts.logger.warn({ key: claimed.key, attempts: claimed.attempts }, 'handling an event left unhandled by a stopped process');
      await this.process(event);
    }
    return recovered;
  }

  private async run(event: BotEvent): Promise<'handled' | 'unknown-user'> {
    const log = this.opts.logger.child({ channel: event.channel, platformUserId: event.platformUserId, dedupeKey: event.dedupeKey });
    const channel = this.registered.get(event.channel);
    if (!channel) throw new Error(`no adapter for channel ${event.channel}`);
    const { adapter } = channel;
    const { org, audit } = this.opts.services;
    const user = await org.findActiveUserByPlatformId(channel.identity, event.platformUserId);
    const meta: RequestMeta = { requestId: `${event.channel}:${event.dedupeKey}`, channel: 'bot', actorId: user?._id ?? null, actorName: user?.name };
    if (!user) {
      this.opts.metrics?.inboundEvents.inc({ channel: event.channel, outcome: 'unknown_user' });
      await audit.record(meta, { action: 'bot.unknown-user', entityType: 'platform-user', entityId: `${event.channel}:${event.platformUserId}` });
      await adapter.send(event.platformUserId, { kind: 'text', text: '你好！你还没有开通 CRM 账号，或账号已停用。请联系系统管理员开通后再试。' });
      return 'unknown-user';
    }
    const actor: Actor = { user, viewer: await org.resolveViewer(user) };
    const ctx: BotContext = {
      event,
      user,
      actor,
      meta,
      services: this.opts.services,
      appUrl: (path) => `${this.opts.publicBaseUrl}${path}`,
      reply: (message) => adapter.send(event.platformUserId, message),
      updateCard: (card) => adapter.updateCard({ platformUserId: event.platformUserId, taskId: card.taskId }, card),
      ask: async (kind, args, ttlMs = PROMPT_TTL_MS) => {
        if (!this.prompts.has(kind)) throw new Error(`no prompt listener for ${kind}`);
        const now = new Date();
        await this.pending
          .updateOne(
            { key: `${event.channel}:${event.platformUserId}` },
            { $set: { kind, args, expiresAt: new Date(now.getTime() + ttlMs), createdAt: now } },
            { upsert: true },
          )
          .exec();
      },
    };
    try {
      await this.dispatch(ctx);
      this.opts.metrics?.inboundEvents.inc({ channel: event.channel, outcome: 'handled' });
    } catch (err) {
      this.opts.metrics?.inboundEvents.inc({ channel: event.channel, outcome: 'failed' });
      const code = err instanceof AppError ? err.code : undefined;
      if (!(err instanceof AppError) || err.status >= 500) log.error({ err }, 'bot listener failed');
      const shown = err instanceof AppError && err.expose ? err.message : undefined;
      // a refusal says why once and what the user can do instead
      const text = code === 'FORBIDDEN' ? this.refusal(user.roles, shown) : friendlyError(code, shown);
      await adapter.send(event.platformUserId, { kind: 'text', text }).catch((e: unknown) => log.error({ err: e }, 'could not send the error reply'));
    }
    return 'handled';
  }

  private async dispatch(ctx: BotContext): Promise<void> {
    const { event } = ctx;
    if (event.type === 'enter') {
      if (this.enterHandler) await this.enterHandler(ctx, undefined);
      return;
    }
    if (event.type === 'action' && event.action) {
      const [name = '', ...args] = event.action.key.split(':');
      const handler = this.actions.get(name);
      if (!handler) {
        await ctx.reply({ kind: 'text', text: '这个按钮已失效，请刷新或重新打开。' });
        return;
      }
      await handler(ctx, args);
      return;
    }
    const text = (event.text ?? '').trim();
    const command = this.commandFor(text);
    if (command) {
      const { c, w } = command;
      if (c.permission && !can(ctx.user.roles, c.permission)) {
        await ctx.reply({ kind: 'text', text: this.refusal(ctx.user.roles, `你的账号不能使用“${w}”`) });
        return;
      }
      await c.handler(ctx, text.slice(w.length).trim());
      return;
    }
    const asked = await this.pending
      .findOneAndDelete({ key: `${event.channel}:${event.platformUserId}`, expiresAt: { $gt: new Date() } })
      .lean()
      .exec();
    if (asked) {
      if (CANCEL_WORDS.includes(text.toLowerCase())) {
        await ctx.reply({ kind: 'text', text: '好的，已取消。' });
        return;
      }
      const handler = this.prompts.get(asked.kind);
      if (handler) {
        await handler(ctx, { text, args: asked.args, askedAt: asked.createdAt });
        return;
      }
    }
    if (this.messageHandler) await this.messageHandler(ctx, text);
  }
}
