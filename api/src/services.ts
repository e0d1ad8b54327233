import type { Connection } from 'mongoose';
import type { Config } from '@crm/config';
import { AuditService } from './modules/audit/audit.service';
import { TokenService } from './modules/auth/token.service';
import { OrgService } from './modules/org/org.service';

/** The domain services, built once per process (or per test) on one connection. */
export interface Services {
  audit: AuditService;
  org: OrgService;
  tokens: TokenService;
}

export function buildServices(conn: Connection, config: Config): Services {
  const audit = new AuditService(conn);
  return {
    audit,
    org: new OrgService(conn, audit),
    tokens: new TokenService(config.auth.jwtSecret, config.auth.jwtTtlSeconds),
  };
}
