/**
 * A generated company directory for the fake WeCom and DingTalk servers: by default 1,000 people in 60
 * departments on 5 levels (root → 4 regions → 8 → 16 → 31 teams), a leader per department, every person with a
 * mobile, email, title and main department (some in two departments), WeCom direct leaders. Deterministic
 * (seeded), so tests and benchmarks see the same company. Change it like a company does: `leave`, `disable`,
 * `hire`, `rename`, `move`; each change is also queued as an event (`events`) the way WeCom's `change_contact`
 * callbacks would announce it.
 */
export interface FakeDept {
  id: number;
  name: string;
  parentId: number;
  order: number;
  leaders: string[];
}
export interface FakePerson {
  userid: string;
  name: string;
  mobile: string;
  email: string;
  title: string;
  departments: number[];
  directLeader: string | null;
  /** WeCom: 1 active, 2 disabled, 5 left (left people are not listed). */
  status: 1 | 2 | 5;
}
export interface DirectoryEvent {
  changeType: 'create_user' | 'update_user' | 'delete_user' | 'create_party' | 'update_party' | 'delete_party';
  userid?: string;
  departmentId?: number;
}

const SURNAMES =
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤';
const GIVEN = '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍建国志红飞鹏辉鑫宇浩然子轩梓涵一诺欣怡雨欣佳琪思远博文俊杰晨曦';
const REGIONS = ['华东', '华南', '华北', '西南'];

export class FakeDirectory {
  readonly departments: FakeDept[] = [];
  readonly people: FakePerson[] = [];
  readonly events: DirectoryEvent[] = [];
  private seed: number;

  constructor(opts: { people?: number; seed?: number } = {}) {
    this.seed = opts.seed ?? 19;
    const total = opts.people ?? 1000;
    // 60 departments: 1 + 4 + 8 + 16 + 31, five levels
    this.departments.push({ id: 1, name: '星海科技', parentId: 0, order: 1, leaders: [] });
    let next = 2;
    const level = (parents: FakeDept[], perParent: (i: number) => number, name: (p: FakeDept, j: number) => string) => {
      const out: FakeDept[] = [];
      parents.forEach((p, i) => {
        for (let j = 0; j < perParent(i); j++) out.push({ id: next++, name: name(p, j), parentId: p.id, order: j + 1, leaders: [] });
      });
      this.departments.push(...out);
      return out;
    };
    const l1 = level(
      this.departments.slice(0, 1),
      () => 4,
      (_p, j) => `${REGIONS[j]}大区`,
    );
    const l2 = level(
      l1,
      () => 2,
      (p, j) => `${p.name.slice(0, 2)}${['一', '二'][j]}部`,
    );
    const l3 = level(
      l2,
      () => 2,
      (p, j) => `${p.name}${['A', 'B'][j]}组`,
    );
    level(
      l3,
      (i) => (i === 15 ? 1 : 2),
      (p, j) => `${p.name}${j + 1}队`,
    );
    // people spread over the departments, more in the teams; each department's first member leads it
    const weights = this.departments.map((d) => (this.depth(d) === 4 ? 6 : this.depth(d) === 3 ? 3 : 1));
    const sum = weights.reduce((a, b) => a + b, 0);
    const slots: number[] = [];
    this.departments.forEach((d, i) => {
      for (let k = 0; k < Math.max(1, Math.round((weights[i]! * total) / sum)); k++) slots.push(d.id);
    });
    for (let n = 0; n < total; n++) {
      const dept = slots[n % slots.length]!;
      this.people.push(this.makePerson(n + 1, dept));
    }
    for (const d of this.departments) {
      const first = this.people.find((p) => p.departments[0] === d.id);
      if (first) {
        d.leaders = [first.userid];
        first.title = this.depth(d) <= 1 ? '总监' : '经理';
      }
    }
    // direct leaders: the department's leader, or the parent's for the leader; a few people in a second department
    for (const p of this.people) {
      const d = this.dept(p.departments[0]!);
      const leader = d.leaders[0] !== p.userid ? d.leaders[0] : this.departments.find((x) => x.id === d.parentId)?.leaders[0];
      p.directLeader = leader ?? null;
      if (this.random() < 0.05) {
        const other = this.departments[Math.floor(this.random() * this.departments.length)]!;
        if (other.id !== d.id) p.departments.push(other.id);
      }
    }
  }

  private random(): number {
    this.seed = (this.seed * 1103515245 + 12345) % 2147483648;
    return this.seed / 2147483648;
  }

  private makePerson(n: number, dept: number): FakePerson {
    const surname = SURNAMES[n % SURNAMES.length]!;
    const given = GIVEN[(n * 7) % GIVEN.length]! + (n % 3 === 0 ? GIVEN[(n * 13) % GIVEN.length]! : '');
    const userid = `u${String(n).padStart(4, '0')}`;
    return {
      userid,
      name: `${surname}${given}`,
      mobile: `139${String(10_000_000 + n * 7919).slice(-8)}`,
      email: `${userid}@xinghai.example.com`,
      title: '销售代表',
      departments: [dept],
      directLeader: null,
      status: 1,
    };
  }

  depth(d: FakeDept): number {
    let n = 0;
    for (let x = d; x.parentId; x = this.dept(x.parentId)) n++;
    return n;
  }

  dept(id: number): FakeDept {
    return this.departments.find((d) => d.id === id)!;
  }

  person(userid: string): FakePerson {
    return this.people.find((p) => p.userid === userid)!;
  }

  /** Listed people (left ones are gone from the platform's lists) of one department. */
  membersOf(deptId: number): FakePerson[] {
    return this.people.filter((p) => p.status !== 5 && p.departments.includes(deptId));
  }

  leave(userid: string): void {
    this.person(userid).status = 5;
    this.events.push({ changeType: 'delete_user', userid });
  }

  disable(userid: string): void {
    this.person(userid).status = 2;
    this.events.push({ changeType: 'update_user', userid });
  }

  hire(userid: string, name: string, deptId: number): FakePerson {
    const p = { ...this.makePerson(this.people.length + 1, deptId), userid, name, email: `${userid}@xinghai.example.com` };
    this.people.push(p);
    this.events.push({ changeType: 'create_user', userid });
    return p;
  }

  update(userid: string, change: Partial<Pick<FakePerson, 'name' | 'title' | 'mobile' | 'departments' | 'directLeader'>>): void {
    Object.assign(this.person(userid), change);
    this.events.push({ changeType: 'update_user', userid });
  }

  renameDepartment(id: number, name: string): void {
    this.dept(id).name = name;
    this.events.push({ changeType: 'update_party', departmentId: id });
  }

  // ---- the platforms' answers -----------------------------------------------------------------

  /** WeCom: GET /cgi-bin/department/list and /cgi-bin/user/list?department_id= (null: not a directory path). */
  wecom(path: string, query: URLSearchParams): Record<string, unknown> | null {
    if (path === '/cgi-bin/department/list')
      return {
        errcode: 0,
        errmsg: 'ok',
        department: this.departments.map((d) => ({ id: d.id, name: d.name, parentid: d.parentId, order: d.order, department_leader: d.leaders })),
      };
    if (path === '/cgi-bin/user/list') {
      const id = Number(query.get('department_id'));
      if (!this.departments.some((d) => d.id === id)) return { errcode: 60123, errmsg: 'invalid party id' };
      return {
        errcode: 0,
        errmsg: 'ok',
        userlist: this.membersOf(id).map((p) => ({
          userid: p.userid,
          name: p.name,
          department: p.departments,
          main_department: p.departments[0],
          position: p.title,
          mobile: p.mobile,
          email: p.email,
          status: p.status,
          direct_leader: p.directLeader ? [p.directLeader] : [],
          is_leader_in_dept: p.departments.map((d) => (this.dept(d).leaders.includes(p.userid) ? 1 : 0)),
        })),
      };
    }
    return null;
  }

  /** DingTalk topapi v2: department/get, department/listsub, user/list (cursor pages). */
  dingtalk(path: string, body: Record<string, unknown>): Record<string, unknown> | null {
    const id = Number(body.dept_id);
    const dept = this.departments.find((d) => d.id === id);
    if (!path.startsWith('/topapi/v2/department/') && path !== '/topapi/v2/user/list') return null;
    if (!dept) return { errcode: 60003, errmsg: '部门不存在' };
    if (path === '/topapi/v2/department/get')
      return {
        errcode: 0,
        errmsg: 'ok',
        result: { dept_id: dept.id, name: dept.name, parent_id: dept.parentId || undefined, order: dept.order, dept_manager_userid_list: dept.leaders },
      };
    if (path === '/topapi/v2/department/listsub')
      return {
        errcode: 0,
        errmsg: 'ok',
        result: this.departments.filter((d) => d.parentId === id).map((d) => ({ dept_id: d.id, name: d.name, parent_id: d.parentId })),
      };
    const size = Math.min(100, Number(body.size ?? 100));
    const cursor = Number(body.cursor ?? 0);
    const all = this.membersOf(id);
    const page = all.slice(cursor, cursor + size);
    return {
      errcode: 0,
      errmsg: 'ok',
      result: {
        has_more: cursor + size < all.length,
        ...(cursor + size < all.length ? { next_cursor: cursor + size } : {}),
        list: page.map((p) => ({
          userid: p.userid,
          name: p.name,
          mobile: p.mobile,
          email: p.email,
          title: p.title,
          dept_id_list: p.departments,
          leader: dept.leaders.includes(p.userid),
          active: p.status === 1,
        })),
      },
    };
  }
}
