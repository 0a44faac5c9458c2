import type { AccessService, Principal, RequestMeta } from '../access/access.service.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { notFound } from '../../http/errors.ts';
import { findCurrentOrganization, updateOrganizationName } from './orgs.repo.ts';

export interface OrganizationView {
  id: string;
  name: string;
  createdAt: string;
}

export type OrgsService = ReturnType<typeof createOrgsService>;

export function createOrgsService(deps: { access: AccessService }) {
  const { access } = deps;
  return {
    async getCurrent(principal: Principal | null, meta: RequestMeta): Promise<OrganizationView> {
      return access.asMember(principal, meta, 'org:read', async (tx) => {
        const org = await findCurrentOrganization(tx);
        if (!org) throw notFound('The organisation');
        return { id: org.id, name: org.name, createdAt: org.created_at.toISOString() };
      });
    },

    async rename(principal: Principal | null, meta: RequestMeta, name: string): Promise<OrganizationView> {
      return access.asMember(principal, meta, 'org:update', async (tx, actor) => {
        const org = await findCurrentOrganization(tx);
        if (!org) throw notFound('The organisation');
        await updateOrganizationName(tx, actor.orgId, name);
        await recordAudit(tx, {
          orgId: actor.orgId,
          actorUserId: actor.userId,
          actorLabel: actor.email,
          ip: actor.ip,
          userAgent: actor.userAgent,
          action: 'org.update',
          outcome: 'success',
          targetType: 'organization',
          targetId: actor.orgId,
          details: { from: org.name, to: name },
        });
        return { id: org.id, name, createdAt: org.created_at.toISOString() };
      });
    },
  };
}
