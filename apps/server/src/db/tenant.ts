import type { Database, Queryable } from './connect.ts';

export const APP_ROLE = 'seatwise_app';
export const SYSTEM_ROLE = 'seatwise_system';
/** The audit chain for events that belong to no organisation. */
export const INSTANCE_ORG_ID = '00000000-0000-0000-0000-000000000000';
/**
 * SQL for the transaction's organisation, as withTenantTx set it. Repos write rows with it instead of an
 * org id passed around, so a tenant id can never come from input.
 */
export const CURRENT_ORG_SQL = "nullif(current_setting('app.org_id', true), '')::uuid";

/** Whose data a transaction may see: one organisation, and the person acting (if any). */
export interface TenantContext {
  orgId: string;
  userId: string | null;
}

export interface Tenancy {
  /** The only way to see tenant rows: a transaction bound to one organisation, as the application role. */
  withTenantTx<T>(context: TenantContext, fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * Cross-tenant work (listing a person's organisations at sign-in, scheduled jobs). Rare on purpose:
   * search for withSystemTx to review every use. `purpose` names the reason in the session settings.
   */
  withSystemTx<T>(purpose: string, fn: (tx: Queryable) => Promise<T>): Promise<T>;
}

/** Builds the tenancy boundary over a database. Settings are transaction-local (`set_config(…, true)`). */
export function createTenancy(db: Database): Tenancy {
  const tenancy: Tenancy = {
    withTenantTx(context, fn) {
      return db.transaction(async (tx) => {
        await tx.query(
          `SELECT set_config('role', $1, true), set_config('app.org_id', $2, true), set_config('app.user_id', $3, true)`,
          [APP_ROLE, context.orgId, context.userId ?? ''],
        );
        return fn(tx);
      });
    },
    withSystemTx(purpose, fn) {
      return db.transaction(async (tx) => {
        await tx.query(
          `SELECT set_config('role', $1, true), set_config('app.org_id', '', true), set_config('app.system_purpose', $2, true)`,
          [SYSTEM_ROLE, purpose],
        );
        return fn(tx);
      });
    },
  };
  return tenancy;
}

export class UnsafeDatabaseRoleError extends Error {}

interface RoleFacts {
  rolname: string;
  rolsuper: boolean;
  rolbypassrls: boolean;
  owns_tables: boolean;
  /** Other roles it belongs to (so may SET ROLE to) that are superusers, have BYPASSRLS or own tables. */
  privileged_memberships: string[];
}

const ownsTablesSql = (role: string) =>
  `EXISTS (SELECT 1 FROM pg_class c WHERE c.relowner = ${role}.oid AND c.relkind IN ('r', 'p')
           AND c.relnamespace = 'public'::regnamespace)`;

const roleFactsSql = (who: 'current_user' | 'session_user') => `
  SELECT r.rolname, r.rolsuper, r.rolbypassrls, ${ownsTablesSql('r')} AS owns_tables,
         ARRAY(SELECT p.rolname::text FROM pg_roles p
                WHERE p.oid <> r.oid AND pg_has_role(r.oid, p.oid, 'MEMBER')
                  AND (p.rolsuper OR p.rolbypassrls OR ${ownsTablesSql('p')})
                ORDER BY p.rolname) AS privileged_memberships
    FROM pg_roles r WHERE r.rolname = ${who}`;

function problems(facts: RoleFacts): string[] {
  const found: string[] = [];
  if (facts.rolsuper) found.push('is a superuser');
  if (facts.rolbypassrls) found.push('has BYPASSRLS');
  if (facts.owns_tables) found.push('owns tables');
  // Membership is enough: any session running as this role could SET ROLE to the privileged one.
  if (facts.privileged_memberships.length > 0) {
    found.push(`can switch to ${facts.privileged_memberships.map((name) => `"${name}"`).join(', ')}`);
  }
  return found;
}

/**
 * Refuses to serve when the role that runs tenant queries could bypass row-level security. On a
 * PostgreSQL server the login role is checked too; embedded PGlite always logs in as its superuser,
 * which is why every transaction there (and everywhere) switches role first.
 */
export async function assertSafeRoles(db: Database, tenancy: Tenancy): Promise<void> {
  const facts = await tenancy.withTenantTx({ orgId: INSTANCE_ORG_ID, userId: null }, async (tx) => {
    const current = (await tx.query<RoleFacts>(roleFactsSql('current_user'))).rows[0];
    const session = (await tx.query<RoleFacts>(roleFactsSql('session_user'))).rows[0];
    return { current, session };
  });
  if (!facts.current || facts.current.rolname !== APP_ROLE) {
    throw new UnsafeDatabaseRoleError(`Tenant transactions do not run as ${APP_ROLE}.`);
  }
  const appProblems = problems(facts.current);
  if (appProblems.length > 0) {
    throw new UnsafeDatabaseRoleError(
      `Refusing to start: the application role ${APP_ROLE} ${appProblems.join(' and ')}, so row-level security would not hold.`,
    );
  }
  if (db.engine === 'postgres' && facts.session) {
    const loginProblems = problems(facts.session);
    if (loginProblems.length > 0) {
      throw new UnsafeDatabaseRoleError(
        `Refusing to start: DATABASE_URL logs in as "${facts.session.rolname}", which ${loginProblems.join(' and ')}. ` +
          `Connect as a login role that owns nothing and may only switch to the application roles, for example:\n` +
          `  CREATE ROLE seatwise LOGIN PASSWORD '…' NOINHERIT IN ROLE ${APP_ROLE}, ${SYSTEM_ROLE};\n` +
          'and run migrations as the owner with MIGRATION_DATABASE_URL.',
      );
    }
  }
}
