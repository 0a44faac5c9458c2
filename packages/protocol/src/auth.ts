import { z } from 'zod';
import { Email, OpaqueToken, Password, PersonName, PlainText, Uuid } from './common.ts';
import { ROLES } from './permissions.ts';

export const SignUpRequest = z.strictObject({
  name: PersonName,
  email: Email,
  companyName: PlainText(200),
  password: Password,
});
export type SignUpRequest = z.infer<typeof SignUpRequest>;

export const AcceptedResponse = z.object({ message: z.string() });

export const VerifyEmailRequest = z.strictObject({ token: OpaqueToken });

export const SignInRequest = z.strictObject({
  email: Email,
  password: z.string().min(1, 'is required').max(1024),
  /** The organisation to work in; defaults to the first one the person belongs to. */
  orgId: Uuid.optional(),
});
export type SignInRequest = z.infer<typeof SignInRequest>;

export const Membership = z.object({ orgId: Uuid, orgName: z.string(), role: z.enum(ROLES) });
export type Membership = z.infer<typeof Membership>;

export const SessionResponse = z.object({
  user: z.object({ id: Uuid, name: z.string(), email: z.string() }),
  orgId: Uuid.nullable(),
  role: z.enum(ROLES).nullable(),
  memberships: z.array(Membership),
  /** For API clients that send `Authorization: Bearer`; browsers use the cookies instead. */
  accessToken: z.string(),
  accessTokenExpiresAt: z.string(),
  /** Absent when only the access token changed (switching organisation). */
  refreshToken: z.string().optional(),
  /** Send back in the `x-csrf-token` header on state-changing requests authenticated by cookie. */
  csrfToken: z.string(),
});
export type SessionResponse = z.infer<typeof SessionResponse>;

export const RefreshRequest = z.strictObject({ refreshToken: z.string().min(1).max(300).optional() });

export const SwitchOrgRequest = z.strictObject({ orgId: Uuid });

export const MeResponse = z.object({
  user: z.object({ id: Uuid, name: z.string(), email: z.string() }),
  orgId: Uuid.nullable(),
  role: z.enum(ROLES).nullable(),
  memberships: z.array(Membership),
});
export type MeResponse = z.infer<typeof MeResponse>;

export const PasswordResetRequest = z.strictObject({ email: Email });
export const PasswordResetConfirm = z.strictObject({ token: OpaqueToken, password: Password });
export const ChangePasswordRequest = z.strictObject({
  currentPassword: z.string().min(1, 'is required').max(1024),
  newPassword: Password,
});

/** Signing out everywhere takes no input: an empty object, or no body at all. */
export const SignOutEverywhereRequest = z.strictObject({});
