/**
 * Typed calls to every API route the web app uses (shapes come from @seatwise/protocol). Screens call these,
 * never `fetch`, so the CSRF header, refresh-on-401 and error shapes are the same everywhere. The one
 * exception is the upload body, which needs progress events: see upload-request.ts.
 */
import type {
  AcceptInvitationResponse,
  AnalyticsBucket,
  AnalyticsSummary,
  ApiKey,
  ApiKeyScope,
  AuditEvent,
  CreateLicenseServerRequest,
  FeatureConcurrency,
  FeaturePeople,
  FeatureTimeline,
  Feature,
  Invitation,
  LicenseServer,
  MeResponse,
  Member,
  Role,
  SessionResponse,
  SignInRequest,
  SignUpRequest,
  Upload,
} from '@seatwise/protocol';
import { api } from './api.ts';

export interface Message {
  message: string;
}
export interface Ok {
  ok: true;
}

// Public forms: a 401 from these is an answer, not an expired session.
const publicForm = { refresh: false } as const;

/** A query string from the defined values only ("?from=…&to=…", or "" when there are none). */
export function query(params: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(name, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

const id = (value: string) => encodeURIComponent(value);

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
  changePassword: (currentPassword: string, newPassword: string) =>
    api.post<Ok>('/api/auth/change-password', { currentPassword, newPassword }),
};

export const membersApi = {
  list: (signal?: AbortSignal) => api.get<{ members: Member[] }>('/api/members', { signal }),
  changeRole: (userId: string, role: Role) => api.request<Member>(`/api/members/${id(userId)}`, { method: 'PATCH', body: { role } }),
  remove: (userId: string) => api.request<Ok>(`/api/members/${id(userId)}`, { method: 'DELETE' }),
  leave: () => api.post<Ok>('/api/members/leave'),
  invitations: (signal?: AbortSignal) => api.get<{ invitations: Invitation[] }>('/api/invitations', { signal }),
  invite: (email: string, role: Role) => api.post<Invitation>('/api/invitations', { email, role }),
  withdrawInvitation: (invitationId: string) => api.request<Ok>(`/api/invitations/${id(invitationId)}`, { method: 'DELETE' }),
  acceptInvitation: (body: { token: string; name?: string; password?: string }) =>
    api.post<AcceptedInvitation>('/api/invitations/accept', body),
};

/** The parsed (output) type of a protocol schema, without importing the schema library itself. */
type Output<S extends { parse: (value: unknown) => unknown }> = ReturnType<S['parse']>;
export type AcceptedInvitation = Output<typeof AcceptInvitationResponse>;

export interface AuditFilter {
  actor?: string;
  action?: string;
  from?: string;
  to?: string;
  before?: number;
  limit?: number;
}

export const auditApi = {
  list: (filter: AuditFilter, signal?: AbortSignal) =>
    api.get<{ events: AuditEvent[]; nextBefore: number | null }>(`/api/audit-events${query({ ...filter })}`, { signal }),
  /** The CSV export's address for the same filter (a plain download link: same origin, cookie session). */
  exportUrl: (filter: Omit<AuditFilter, 'before' | 'limit'>) => `/api/audit-events/export.csv${query({ ...filter })}`,
  verify: (signal?: AbortSignal) =>
    api.get<{ ok: boolean; checked: number; firstBrokenSeq: number | null; reason: string | null }>('/api/audit-events/verify', { signal }),
};

export const apiKeysApi = {
  list: (signal?: AbortSignal) => api.get<{ apiKeys: ApiKey[] }>('/api/api-keys', { signal }),
  create: (name: string, scopes: ApiKeyScope[]) => api.post<{ key: string; apiKey: ApiKey }>('/api/api-keys', { name, scopes }),
  revoke: (keyId: string) => api.request<ApiKey>(`/api/api-keys/${id(keyId)}`, { method: 'DELETE' }),
};

export const licenseApi = {
  servers: (signal?: AbortSignal) => api.get<{ licenseServers: LicenseServer[] }>('/api/license-servers', { signal }),
  createServer: (body: CreateLicenseServerRequest) => api.post<LicenseServer>('/api/license-servers', body),
  updateServer: (licenseServerId: string, body: Partial<CreateLicenseServerRequest>) =>
    api.request<LicenseServer>(`/api/license-servers/${id(licenseServerId)}`, { method: 'PATCH', body }),
  features: (signal?: AbortSignal) => api.get<{ features: Feature[] }>('/api/features', { signal }),
  setSeatsOwned: (featureId: string, seatsOwned: number | null) =>
    api.request<Feature>(`/api/features/${id(featureId)}`, { method: 'PATCH', body: { seatsOwned } }),
};

export interface UsageRange {
  from: string;
  to: string;
  licenseServerId?: string;
}

export const usageApi = {
  summary: (range: UsageRange, signal?: AbortSignal) => api.get<AnalyticsSummary>(`/api/usage/summary${query({ ...range })}`, { signal }),
  timeline: (featureId: string, range: UsageRange & { bucket: AnalyticsBucket }, signal?: AbortSignal) =>
    api.get<FeatureTimeline>(`/api/usage/features/${id(featureId)}/timeline${query({ ...range })}`, { signal }),
  people: (featureId: string, range: UsageRange & { limit?: number; offset?: number }, signal?: AbortSignal) =>
    api.get<FeaturePeople>(`/api/usage/features/${id(featureId)}/people${query({ ...range })}`, { signal }),
  /** Seats in use at every instant of the range's UTC days (each change and the count from then on). */
  concurrency: (featureId: string, range: UsageRange, signal?: AbortSignal) =>
    api.get<FeatureConcurrency>(`/api/usage/features/${id(featureId)}/concurrency${query({ ...range })}`, { signal }),
};

export const uploadsApi = {
  list: (signal?: AbortSignal) => api.get<{ uploads: Upload[] }>('/api/uploads', { signal }),
  get: (uploadId: string, signal?: AbortSignal) => api.get<Upload>(`/api/uploads/${id(uploadId)}`, { signal }),
  create: (body: { licenseServerId: string; fileName: string; startDate?: string | null }) => api.post<Upload>('/api/uploads', body),
};
