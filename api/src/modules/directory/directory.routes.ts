import Router from '@koa/router';
import { idParams } from '@crm/shared';
import type { AppState } from '../../context';
import { toDto } from '../../db/to-dto';
import { requirePermission } from '../../middleware/auth';
import { validate } from '../../middleware/validate';
import { responds } from '../openapi/responds';
import { directoryRunDtoSchema } from './directory.dto-schema';
import type { DirectoryService } from './directory.service';

/** Directory sync: a dry run, a sync (in the background), a run's progress. Admins only (org.write). */
export function directoryRoutes(directory: DirectoryService): Router<AppState> {
  const router = new Router<AppState>();
  const admin = requirePermission('org.write');
  router.post('/directory/dry-run', responds(200, directoryRunDtoSchema, { errors: ['CONFLICT'] }), admin, async (ctx) => {
    ctx.body = toDto(await directory.dryRun(ctx.state.meta));
  });
  router.post('/directory/sync', responds(202, directoryRunDtoSchema, { errors: ['CONFLICT'] }), admin, async (ctx) => {
    ctx.status = 202;
    ctx.body = toDto(await directory.start(ctx.state.meta, 'manual'));
  });
  router.get('/directory/runs/:id', responds(200, directoryRunDtoSchema), admin, validate({ params: idParams }), async (ctx) => {
    ctx.body = toDto(await directory.run((ctx.state.input.params as { id: string }).id));
  });
  return router;
}
