/** Typed calls to the API routes the web app uses (shapes come from @seatwise/protocol). */
import type {
  AcceptInvitationResponse,
  MeResponse,
  MemberList,
  SessionResponse,
  SignInRequest,
  SignUpRequest,
} from '@seatwise/protocol';
import { api } from './api.ts';

/** The parsed (output) type of a protocol schema, without importing the schema library itself. */
type Output<S extends { parse: (value: unknown) => unknown }> = ReturnType<S['parse']>;

export interface Message {
  message: string;
}
export interface Ok {
  ok: true;
}

// Public forms: a 401 from these is an answer, not an expired session.
const publicForm = { refresh: false } as const;

export const authApi = {
  signUp: (body: SignUpRequest) => api.post<Message>('/api/auth/sign-up', body, publicForm),
  verifyEmail: (token: string) => api.post<Ok>('/api/auth/verify-email', { token }, publicForm),
  resendVerification: (email: string) => api.post<Message>('/api/auth/resend-verification', { email }, publicForm),
  signIn: (body: SignInRequest) => api.post<SessionResponse>('/api/auth/sign-in', body, publicForm),
  requestPasswordReset: (email: string) => api.post<Message>('/api/auth/password-reset', { email }, publicForm),
  resetPassword: (token: string, password: string) =>
    api.post<Ok>('/api/auth/password-reset/confirm', { token, password }, publicForm),
  me: (signal?: AbortSignal) => api.get<MeResponse>('/api/auth/me', { signal }),
  switchOrg: (orgId: string) => api.post<SessionResponse>('/api/auth/switch-org', { orgId }),
  signOut: () => api.post<Ok>('/api/auth/sign-out', undefined, publicForm),
};

export type AcceptedInvitation = Output<typeof AcceptInvitationResponse>;

export const membersApi = {
  list: (signal?: AbortSignal) => api.get<Output<typeof MemberList>>('/api/members', { signal }),
  acceptInvitation: (body: { token: string; name?: string; password?: string }) =>
    api.post<AcceptedInvitation>('/api/invitations/accept', body),
};
