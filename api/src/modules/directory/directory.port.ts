/**
 * What the directory sync reads from a platform (a port: the bot side implements it with the WeCom contact
 * APIs or DingTalk's v2 department / user APIs, given to `buildServices` at construction).
 */
export interface DirectoryDepartment {
  /** The platform's department id (as a string). */
  id: string;
  name: string;
  /** null for the root. */
  parentId: string | null;
  order: number;
  /** Platform userids of the department's leaders (负责人 / 主管). */
  leaderIds: string[];
}

export interface DirectoryPerson {
  userid: string;
  name: string;
  mobile?: string | null;
  email?: string | null;
  title?: string | null;
  /** Platform department ids, main department first. */
  departmentIds: string[];
  /** Direct leader's userid when the platform names one (WeCom direct_leader), else null (derived from department leaders). */
  leaderUserid?: string | null;
  /** false: disabled or left on the platform. */
  active: boolean;
}

export interface DirectorySource {
  platform: 'wecom' | 'dingtalk';
  /** The whole department tree the app can see. */
  departments(): Promise<DirectoryDepartment[]>;
  /** Members of one department (not of its sub-departments). */
  members(departmentId: string): Promise<DirectoryPerson[]>;
}

/** A person the sync deactivated, told to their manager once (the bot's chat notice with the hand-over link). */
export interface LeaverNotice {
  platform: 'wecom' | 'dingtalk';
  managerId: string;
  leaverId: string;
  name: string;
  /** Customers still owned by the leaver (waiting for a hand-over). */
  customers: number;
}

/** What the sync tells chat (the bot implements it). */
export interface DirectoryEvents {
  leaverDeactivated(n: LeaverNotice): Promise<void>;
}

/** A leaver whose customers still wait for a hand-over, in their manager's morning digest. */
export interface PendingHandover {
  userId: string;
  name: string;
  customers: number;
}
