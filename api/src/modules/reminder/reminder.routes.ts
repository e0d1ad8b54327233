import Router from '@koa/router';
import {
  completeRemindersBody,
  completeRemindersResultDtoSchema,
  idParams,
  listRemindersQuery,
  reminderDtoSchema,
  reminderListDtoSchema,
  snoozeReminderBody,
  type CompleteRemindersInput,
  type ListRemindersQuery,
  type SnoozeReminderInput,
} from '@crm/shared';
import type { AppState } from '../../context';
import { validate } from '../../middleware/validate';
import type { Services } from '../../services';
import { toReminderDto } from './reminder.service';
import { responds } from '../openapi/responds';

type IdParams = { id: string };

/** The signed-in person's own reminders: list (with each box's count), complete (one or several), snooze, nudge. */
export function reminderRoutes(s: Services): Router<AppState> {
  const router = new Router<AppState>({ prefix: '/reminders' });
  router.get('/', responds(200, reminderListDtoSchema), validate({ query: listRemindersQuery }), async (ctx) => {
    const q = ctx.state.input.query as ListRemindersQuery;
    const [items, counts] = await Promise.all([s.reminders.list(ctx.state.actor!, q.box, q.limit), s.reminders.counts(ctx.state.actor!)]);
    ctx.body = { items: items.map(toReminderDto), counts };
  });
  router.post('/complete', responds(200, completeRemindersResultDtoSchema), validate({ body: completeRemindersBody }), async (ctx) => {
    const body = ctx.state.input.body as CompleteRemindersInput;
    ctx.body = await s.reminders.completeMany(ctx.state.actor!, ctx.state.meta, body.ids);
  });
  router.get('/:id', responds(200, reminderDtoSchema), validate({ params: idParams }), async (ctx) => {
    const r = await s.reminders.get(ctx.state.actor!, (ctx.state.input.params as IdParams).id);
    ctx.body = toReminderDto((await s.reminders.views([r]))[0]!);
  });
  router.post('/:id/complete', responds(200, reminderDtoSchema), validate({ params: idParams }), async (ctx) => {
    const { reminder } = await s.reminders.complete(ctx.state.actor!, ctx.state.meta, (ctx.state.input.params as IdParams).id);
    ctx.body = toReminderDto((await s.reminders.views([reminder]))[0]!);
  });
  router.post(
    '/:id/snooze',
    responds(200, reminderDtoSchema, { errors: ['CONFLICT'] }),
    validate({ params: idParams, body: snoozeReminderBody }),
    async (ctx) => {
      const body = ctx.state.input.body as SnoozeReminderInput;
      const r = await s.reminders.snooze(ctx.state.actor!, ctx.state.meta, (ctx.state.input.params as IdParams).id, body);
      ctx.body = toReminderDto((await s.reminders.views([r]))[0]!);
    },
  );
  router.post('/:id/nudge', responds(200, reminderDtoSchema, { errors: ['CONFLICT'] }), validate({ params: idParams }), async (ctx) => {
    const { reminder } = await s.reminders.nudge(ctx.state.actor!, ctx.state.meta, (ctx.state.input.params as IdParams).id);
    ctx.body = toReminderDto((await s.reminders.views([reminder]))[0]!);
  });
  return router;
}
