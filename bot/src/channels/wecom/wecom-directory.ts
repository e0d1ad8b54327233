import type { AxiosInstance } from 'axios';
import type { Logger } from 'pino';
import type { DirectoryDepartment, DirectoryPerson, DirectorySource } from '@crm/api';
import { platformHttp, TokenCache } from '@crm/shared';
import { WeComApiError } from './wecom-client';

const TOKEN_INVALID = new Set([40014, 42001]);

interface WeComDept {
  id: number;
  name: string;
  parentid: number;
  order?: number;
  department_leader?: string[];
}
interface WeComUser {
  userid: string;
  name: string;
  department?: number[];
  main_department?: number;
  position?: string;
  mobile?: string;
  email?: string;
  biz_mail?: string;
  direct_leader?: string[];
  /** 1 active, 2 disabled, 4 not activated, 5 left. */
  status?: number;
}

/**
 * WeCom's contact directory for the directory sync: `GET /cgi-bin/department/list` (the tree with
 * `department_leader`) and `GET /cgi-bin/user/list?department_id=` (one department's members, detailed), with
 * the contact-sync (通讯录同步) secret's own token, refreshed once when refused. Members with status 2 (disabled)
 * or 5 (left) are inactive; 4 (not activated yet) counts as active.
 */
export class WeComDirectory implements DirectorySource {
  readonly platform = 'wecom' as const;
  private readonly http: AxiosInstance;
  private readonly tokens: TokenCache;

  constructor(
    cfg: { corpId: string; secret: string; apiBase: string },
    private readonly log: Logger,
  ) {
    this.http = platformHttp({ baseURL: cfg.apiBase, timeoutMs: 10_000 });
    this.tokens = new TokenCache(async () => {
      const res = await this.http.get<{ errcode?: number; errmsg?: string; access_token?: string; expires_in?: number }>('/cgi-bin/gettoken', {
        params: { corpid: cfg.corpId, corpsecret: cfg.secret },
      });
      if (res.data.errcode || !res.data.access_token)
        throw new WeComApiError(res.data.errcode ?? res.status, res.data.errmsg ?? 'no token', '/cgi-bin/gettoken');
      return { value: res.data.access_token, ttlSeconds: res.data.expires_in ?? 7200 };
    });
  }

  private async get<T>(path: string, params: Record<string, string>): Promise<T> {
    for (let refreshed = false; ; refreshed = true) {
      const token = await this.tokens.get();
      const res = await this.http.get<T & { errcode?: number; errmsg?: string }>(path, { params: { ...params, access_token: token } });
      const code = res.data?.errcode ?? (res.status === 200 ? 0 : res.status);
      if (code === 0) return res.data;
      if (TOKEN_INVALID.has(code) && !refreshed) {
        this.tokens.drop(token);
        continue;
      }
      this.log.error({ path, errcode: code }, 'WeCom directory call failed');
      throw new WeComApiError(code, String(res.data?.errmsg ?? res.statusText), path, code === -1 || res.status >= 500);
    }
  }

  async departments(): Promise<DirectoryDepartment[]> {
    const data = await this.get<{ department: WeComDept[] }>('/cgi-bin/department/list', {});
    const ids = new Set(data.department.map((d) => d.id));
    return data.department.map((d) => ({
      id: String(d.id),
      name: d.name,
      parentId: d.parentid && ids.has(d.parentid) ? String(d.parentid) : null,
      order: d.order ?? 0,
      leaderIds: d.department_leader ?? [],
    }));
  }

  async members(departmentId: string): Promise<DirectoryPerson[]> {
    const data = await this.get<{ userlist: WeComUser[] }>('/cgi-bin/user/list', { department_id: departmentId });
    return data.userlist.map((u) => {
      const depts = (u.department ?? []).map(String);
      const main = u.main_department ? String(u.main_department) : depts[0];
      return {
        userid: u.userid,
        name: u.name,
        mobile: u.mobile || null,
        email: u.email || u.biz_mail || null,
        title: u.position || null,
        departmentIds: main ? [main, ...depts.filter((d) => d !== main)] : depts,
        leaderUserid: u.direct_leader?.[0] ?? null,
        active: u.status !== 2 && u.status !== 5,
      };
    });
  }
}
