import {
  AcceptInvitationRequest,
  AcceptInvitationResponse,
  ChangeRoleRequest,
  Invitation,
  InvitationList,
  InvitationParams,
  InviteRequest,
  Member,
  MemberList,
  MemberParams,
  OkResponse,
} from '@seatwise/protocol';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { requestMeta } from '../../http/route-access.ts';
import type { MembersService } from './members.service.ts';

const tags = ['members'];

export function registerMembersRoutes(app: FastifyInstance, members: MembersService): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/api/members', {
    config: { access: 'member:read' },
    schema: { tags, summary: 'Members of your organisation', response: { 200: MemberList } },
    handler: async (request) => ({ members: await members.listMembers(request.principal, requestMeta(request)) }),
  });

  r.patch('/api/members/:userId', {
    config: { access: 'member:update' },
    schema: { tags, summary: "Change a member's role", params: MemberParams, body: ChangeRoleRequest, response: { 200: Member } },
    handler: async (request) =>
      members.changeRole(request.principal, requestMeta(request), request.params.userId, request.body.role),
  });

  r.delete('/api/members/:userId', {
    config: { access: 'member:remove' },
    schema: { tags, summary: 'Remove a member from your organisation', params: MemberParams, response: { 200: OkResponse } },
    handler: async (request) => {
      await members.removeMember(request.principal, requestMeta(request), request.params.userId);
      return { ok: true as const };
    },
  });

  r.post('/api/members/leave', {
    config: { access: 'authenticated' },
    schema: { tags, summary: 'Leave your current organisation', response: { 200: OkResponse } },
    handler: async (request) => {
      await members.leave(request.principal, requestMeta(request));
      return { ok: true as const };
    },
  });

  r.get('/api/invitations', {
    config: { access: 'member:read' },
    schema: { tags, summary: 'Pending invitations', response: { 200: InvitationList } },
    handler: async (request) => ({ invitations: await members.listInvitations(request.principal, requestMeta(request)) }),
  });

  r.post('/api/invitations', {
    config: { access: 'member:invite' },
    schema: { tags, summary: 'Invite someone by e-mail with a role', body: InviteRequest, response: { 201: Invitation } },
    handler: async (request, reply) => reply.status(201).send(await members.invite(request.principal, requestMeta(request), request.body)),
  });

  r.delete('/api/invitations/:invitationId', {
    config: { access: 'member:invite' },
    schema: { tags, summary: 'Withdraw a pending invitation', params: InvitationParams, response: { 200: OkResponse } },
    handler: async (request) => {
      await members.revokeInvitation(request.principal, requestMeta(request), request.params.invitationId);
      return { ok: true as const };
    },
  });

  r.post('/api/invitations/accept', {
    config: { access: 'public', csrf: 'origin-only' },
    schema: { tags, summary: 'Accept an invitation', body: AcceptInvitationRequest, response: { 200: AcceptInvitationResponse } },
    handler: async (request) => members.acceptInvitation(request.principal, requestMeta(request), request.body),
  });
}
