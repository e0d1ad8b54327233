import type { AxiosInstance } from 'axios';
import type { Logger } from 'pino';
import type { DirectoryDepartment, DirectoryPerson, DirectorySource } from '@crm/api';
import { platformHttp, TokenCache } from '@crm/shared';
import { DingTalkApiError } from './dingtalk-client';

const TOKEN_INVALID = new Set([88, 40014, 42001]);

interface TopResponse<T> {
  errcode?: number;
  errmsg?: string;
  result?: T;
}
interface DingUser {
  userid: string;
  name: string;
  mobile?: string;
  email?: string;
  org_email?: string;
  title?: string;
  dept_id_list?: number[];
  active?: boolean;
}

/**
 * DingTalk's contact directory for the directory sync, through the topapi v2 calls with the legacy (oapi)
 * token: `department/listsub` walked from the root (1), `department/get` for each department's order and
 * managers (`dept_manager_userid_list`), `user/list` (cursor pages of 100) for its members. DingTalk names no
 * direct leader in these lists: the sync derives it from the department managers.
 */
export class DingTalkDirectory implements DirectorySource {
  readonly platform = 'dingtalk' as const;
  private readonly http: AxiosInstance;
  private readonly tokens: TokenCache;

  constructor(
    cfg: { clientId: string; clientSecret: string; oapiBase: string },
    private readonly log: Logger,
  ) {
    this.http = platformHttp({ baseURL: cfg.oapiBase, timeoutMs: 10_000 });
    this.tokens = new TokenCache(async () => {
      const res = await this.http.get<{ errcode?: number; errmsg?: string; access_token?: string; expires_in?: number }>('/gettoken', {
        params: { appkey: cfg.clientId, appsecret: cfg.clientSecret },
      });
      if (res.data.errcode || !res.data.access_token)
        throw new DingTalkApiError(res.status, String(res.data.errcode ?? 'NoToken'), '/gettoken', res.data.errmsg ?? '');
      return { value: res.data.access_token, ttlSeconds: res.data.expires_in ?? 7200 };
    });
  }

  private async post<T>(path: string, body: Record<string, unknown>): Promise<T> {
    for (let refreshed = false; ; refreshed = true) {
      const token = await this.tokens.get();
      const res = await this.http.post<TopResponse<T>>(path, body, { params: { access_token: token } });
      const code = res.data?.errcode ?? (res.status === 200 ? 0 : res.status);
      if (code === 0 && res.data.result !== undefined) return res.data.result;
      if (TOKEN_INVALID.has(code) && !refreshed) {
        this.tokens.drop(token);
        continue;
      }
      this.log.error({ path, errcode: code }, 'DingTalk directory call failed');
      throw new DingTalkApiError(res.status, String(code), path, String(res.data?.errmsg ?? ''), code === -1 || res.status >= 500);
    }
  }

  async departments(): Promise<DirectoryDepartment[]> {
    const out: DirectoryDepartment[] = [];
    const queue = [1];
    while (queue.length) {
      const id = queue.shift()!;
      const d = await this.post<{ dept_id: number; name: string; parent_id?: number; order?: number; dept_manager_userid_list?: string[] }>(
        '/topapi/v2/department/get',
        {
          dept_id: id,
        },
      );
      out.push({
        id: String(d.dept_id),
        name: d.name,
        parentId: id === 1 || !d.parent_id ? null : String(d.parent_id),
        order: d.order ?? 0,
        leaderIds: d.dept_manager_userid_list ?? [],
      });
      const subs = await this.post<Array<{ dept_id: number }>>('/topapi/v2/department/listsub', { dept_id: id });
      queue.push(...subs.map((s) => s.dept_id));
    }
    return out;
  }

  async members(departmentId: string): Promise<DirectoryPerson[]> {
    const out: DirectoryPerson[] = [];
    for (let cursor = 0; ;) {
      const page = await this.post<{ has_more: boolean; next_cursor?: number; list: DingUser[] }>('/topapi/v2/user/list', {
        dept_id: Number(departmentId),
        cursor,
        size: 100,
      });
      for (const u of page.list)
        out.push({
          userid: u.userid,
          name: u.name,
          mobile: u.mobile || null,
          email: u.email || u.org_email || null,
          title: u.title || null,
          departmentIds: (u.dept_id_list ?? [Number(departmentId)]).map(String),
          leaderUserid: null,
          active: u.active !== false,
        });
      if (!page.has_more || page.next_cursor === undefined) break;
      cursor = page.next_cursor;
    }
    return out;
  }
}
