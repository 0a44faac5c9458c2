import { z } from 'zod';
import { Email, IsoDateTime, OpaqueToken, Password, PersonName, PlainText, Uuid } from './common.ts';
import { ROLES } from './permissions.ts';

export const RoleName = z.enum(ROLES);

export const Member = z.object({
  userId: Uuid,
  name: z.string(),
  email: z.string(),
  role: RoleName,
  joinedAt: IsoDateTime,
});
export type Member = z.infer<typeof Member>;
export const MemberList = z.object({ members: z.array(Member) });

export const MemberParams = z.strictObject({ userId: Uuid });
export const ChangeRoleRequest = z.strictObject({ role: RoleName });

export const InviteRequest = z.strictObject({ email: Email, role: RoleName });
export const Invitation = z.object({
  id: Uuid,
  email: z.string(),
  role: RoleName,
  invitedBy: z.string().nullable(),
  createdAt: IsoDateTime,
  expiresAt: IsoDateTime,
});
export type Invitation = z.infer<typeof Invitation>;
export const InvitationList = z.object({ invitations: z.array(Invitation) });
export const InvitationParams = z.strictObject({ invitationId: Uuid });

/** Accepting: a new person gives a name and password; an existing account must be signed in. */
export const AcceptInvitationRequest = z.strictObject({
  token: OpaqueToken,
  name: PersonName.optional(),
  password: Password.optional(),
});
export const AcceptInvitationResponse = z.object({ orgId: Uuid, role: RoleName, newAccount: z.boolean() });

export const Organization = z.object({ id: Uuid, name: z.string(), createdAt: IsoDateTime });
export const UpdateOrganizationRequest = z.strictObject({ name: PlainText(200) });
