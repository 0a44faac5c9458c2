import { useRef, useState } from 'react';
import { ROLES, type Invitation, type Member, type Role } from '@seatwise/protocol';
import type { AppPageProps } from '../App.tsx';
import { applyEdits, withEdit, type ListEdits } from '../admin/list-edits.ts';
import { LiveMessage } from '../admin/LiveMessage.tsx';
import { defaultInviteRole, mayManage, memberActions, rolesOffered } from '../admin/member-rules.ts';
import { When } from '../admin/When.tsx';
import { LoadView } from '../components/AppShell.tsx';
import { ConfirmDialog } from '../components/ConfirmDialog.tsx';
import { FieldFrame, TextField } from '../components/Field.tsx';
import { Notice } from '../components/Notice.tsx';
import { PageHeading, useDocumentTitle } from '../components/Page.tsx';
import { SubmitButton } from '../components/SubmitButton.tsx';
import { membersApi } from '../endpoints.ts';
import type { FieldErrors } from '../form-errors.ts';
import { emailProblem } from '../password.ts';
import { roleDescription, roleLabel } from '../roles.ts';
import { navigate } from '../router.ts';
import { useSession } from '../session.tsx';
import { formatCount } from '../format.ts';
import { useForm } from '../use-form.ts';
import { useLoad } from '../use-load.ts';
import '../styles/admin.css';

/** One confirmation at a time: which action, on whom. */
type Pending =
  | { kind: 'change-role'; member: Member; choices: Role[] }
  | { kind: 'remove'; member: Member }
  | { kind: 'withdraw'; invitation: Invitation }
  | { kind: 'leave' };

export function MembersPage(_props: AppPageProps) {
  useDocumentTitle('Members');
  const session = useSession();
  const { me, role, orgName, can } = session;
  const organisation = orgName ?? 'this organisation';
  const members = useLoad((signal) => membersApi.list(signal).then((answer) => answer.members), 'members');
  const invitations = useLoad((signal) => membersApi.invitations(signal).then((answer) => answer.invitations), 'invitations');
  const [memberEdits, setMemberEdits] = useState<ListEdits<Member>>(new Map());
  const [invitationEdits, setInvitationEdits] = useState<ListEdits<Invitation>>(new Map());
  const [pending, setPending] = useState<Pending | null>(null);
  const [newRole, setNewRole] = useState<Role | ''>('');
  const [message, setMessage] = useState<string | null>(null);
  const membersHeading = useRef<HTMLHeadingElement>(null);
  const invitationsHeading = useRef<HTMLHeadingElement>(null);

  function ask(next: Pending) {
    // The least privileged choice first: a slip of the Enter key must never hand out Owner.
    if (next.kind === 'change-role') setNewRole(next.choices.at(-1) ?? '');
    setPending(next);
  }

  function invited(invitation: Invitation) {
    setInvitationEdits((current) => withEdit(current, invitation.id, invitation));
    setMessage(`Invitation sent to ${invitation.email} as ${roleLabel(invitation.role)}. The link in it works for 7 days.`);
  }

  const dialog = confirmationFor(pending, organisation, newRole, setNewRole);

  async function confirm() {
    if (!pending) return;
    if (pending.kind === 'change-role') {
      if (!newRole) return;
      const changed = await membersApi.changeRole(pending.member.userId, newRole);
      setMemberEdits((current) => withEdit(current, changed.userId, changed));
      setMessage(`${changed.name} is now ${roleLabel(changed.role)}.`);
    } else if (pending.kind === 'remove') {
      await membersApi.remove(pending.member.userId);
      setMemberEdits((current) => withEdit(current, pending.member.userId, null));
      setMessage(`${pending.member.name} no longer belongs to ${organisation}.`);
    } else if (pending.kind === 'withdraw') {
      await membersApi.withdrawInvitation(pending.invitation.id);
      setInvitationEdits((current) => withEdit(current, pending.invitation.id, null));
      setMessage(`The invitation for ${pending.invitation.email} is withdrawn: its link no longer works.`);
    } else {
      await membersApi.leave();
      navigate('/', { replace: true, state: { notice: `You have left ${organisation}.` } });
      session.reload();
    }
  }

  return (
    <>
      <PageHeading>Members</PageHeading>
      <p className="lead">The people of {organisation}, their roles, and the invitations waiting for an answer.</p>
      <LiveMessage message={message} />

      {can('member:invite') ? <InviteForm myRole={role} onInvited={invited} /> : null}

      <section className="admin-section" aria-labelledby="members-heading">
        <h2 id="members-heading" ref={membersHeading} tabIndex={-1}>
          People
        </h2>
        <LoadView state={members.state} label="members" onRetry={members.reload}>
          {(loaded) => (
            <MemberTable members={applyEdits(loaded, memberEdits, (member) => member.userId)} me={{ userId: me.user.id, role }} onAsk={ask} />
          )}
        </LoadView>
      </section>

      <section className="admin-section" aria-labelledby="invitations-heading">
        <h2 id="invitations-heading" ref={invitationsHeading} tabIndex={-1}>
          Pending invitations
        </h2>
        <LoadView state={invitations.state} label="pending invitations" onRetry={invitations.reload}>
          {(loaded) => {
            const list = applyEdits(loaded, invitationEdits, (invitation) => invitation.id);
            if (list.length === 0) {
              return (
                <p className="empty-state">
                  No invitations are waiting for an answer.{can('member:invite') ? ' Invite someone with the form above.' : ''}
                </p>
              );
            }
            return <InvitationTable invitations={list} myRole={role} mayWithdraw={can('member:invite')} onAsk={ask} />;
          }}
        </LoadView>
      </section>

      <section className="admin-section" aria-labelledby="roles-heading">
        <h2 id="roles-heading">What each role may do</h2>
        <dl className="role-list">
          {ROLES.map((each) => (
            <div key={each}>
              <dt>
                <span className={`role-badge role-${each}`}>{roleLabel(each)}</span>
              </dt>
              <dd>{roleDescription(each)}</dd>
            </div>
          ))}
        </dl>
      </section>

      <section className="card admin-card danger-zone" aria-labelledby="leave-heading">
        <h2 id="leave-heading">Leave {organisation}</h2>
        <p>
          You lose access to {organisation} at once; someone who manages members can invite you again.
          {role === 'owner' ? ' As an Owner, you can leave only while another Owner remains.' : ''}
        </p>
        <button type="button" className="button button-danger" onClick={() => ask({ kind: 'leave' })}>
          Leave organisation
        </button>
      </section>

      <ConfirmDialog
        open={pending !== null}
        title={dialog.title}
        confirmLabel={dialog.confirmLabel}
        busyLabel={dialog.busyLabel}
        tone={dialog.tone}
        onConfirm={confirm}
        onClose={() => setPending(null)}
        fallbackFocus={() => (pending?.kind === 'withdraw' ? invitationsHeading.current : membersHeading.current)}
      >
        {dialog.body}
      </ConfirmDialog>
    </>
  );
}

/** The words and controls of the confirmation for a pending action. */
function confirmationFor(pending: Pending | null, organisation: string, newRole: Role | '', setNewRole: (role: Role) => void) {
  switch (pending?.kind) {
    case 'change-role':
      return {
        title: `Change the role of ${pending.member.name}`,
        confirmLabel: 'Change role',
        busyLabel: 'Changing…',
        tone: 'primary' as const,
        body: (
          <>
            <p>
              {pending.member.name} is {roleLabel(pending.member.role)} now. What they may do changes from their next request.
            </p>
            <div className="field">
              <label htmlFor="new-role">New role</label>
              <select id="new-role" value={newRole} onChange={(event) => setNewRole(event.target.value as Role)} aria-describedby="new-role-hint">
                {pending.choices.map((choice) => (
                  <option key={choice} value={choice}>
                    {roleLabel(choice)}
                  </option>
                ))}
              </select>
              <p id="new-role-hint" className="field-hint">
                {newRole ? roleDescription(newRole) : null}
              </p>
            </div>
          </>
        ),
      };
    case 'remove':
      return {
        title: `Remove ${pending.member.name}?`,
        confirmLabel: 'Remove member',
        busyLabel: 'Removing…',
        tone: 'danger' as const,
        body: (
          <p>
            {pending.member.name} ({pending.member.email}) loses access to {organisation} at once. Their account stays, and they can be invited again.
          </p>
        ),
      };
    case 'withdraw':
      return {
        title: `Withdraw the invitation for ${pending.invitation.email}?`,
        confirmLabel: 'Withdraw invitation',
        busyLabel: 'Withdrawing…',
        tone: 'danger' as const,
        body: <p>The link sent to {pending.invitation.email} stops working. You can invite them again later.</p>,
      };
    case 'leave':
      return {
        title: `Leave ${organisation}?`,
        confirmLabel: 'Leave organisation',
        busyLabel: 'Leaving…',
        tone: 'danger' as const,
        body: <p>You lose access to {organisation} at once. To come back, someone who manages members must invite you again.</p>,
      };
    default:
      return { title: '', confirmLabel: 'Confirm', busyLabel: 'Working…', tone: 'primary' as const, body: null };
  }
}

function MemberTable({ members, me, onAsk }: { members: Member[]; me: { userId: string; role: Role | null }; onAsk: (pending: Pending) => void }) {
  const rows = members.map((member) => ({ member, actions: memberActions(me, member) }));
  const anyActions = rows.some(({ actions }) => actions.changeRoleTo.length > 0 || actions.remove);
  return (
    <>
      <p className="muted count">{formatCount(members.length, 'person', 'people')}</p>
      <table className="table admin-table">
        <caption className="visually-hidden">Members</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">E-mail</th>
            <th scope="col">Role</th>
            <th scope="col">Joined</th>
            {anyActions ? (
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            ) : null}
          </tr>
        </thead>
        <tbody>
          {rows.map(({ member, actions }) => (
            <tr key={member.userId}>
              <th scope="row" data-label="Name">
                <span className="wrap-anywhere">
                  {member.name}
                  {member.userId === me.userId ? <span className="muted"> (you)</span> : null}
                </span>
              </th>
              <td data-label="E-mail">
                <span>{member.email}</span>
              </td>
              <td data-label="Role">
                <span className={`role-badge role-${member.role}`}>{roleLabel(member.role)}</span>
              </td>
              <td data-label="Joined">
                <When iso={member.joinedAt} />
              </td>
              {anyActions ? (
                <td data-label="Actions">
                  <span className="table-actions">
                    {actions.changeRoleTo.length > 0 ? (
                      <button
                        type="button"
                        className="button button-secondary button-small"
                        aria-label={`Change role of ${member.name}`}
                        onClick={() => onAsk({ kind: 'change-role', member, choices: actions.changeRoleTo })}
                      >
                        Change role
                      </button>
                    ) : null}
                    {actions.remove ? (
                      <button type="button" className="button button-secondary button-small" aria-label={`Remove ${member.name}`} onClick={() => onAsk({ kind: 'remove', member })}>
                        Remove
                      </button>
                    ) : null}
                  </span>
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

function InvitationTable({
  invitations,
  myRole,
  mayWithdraw,
  onAsk,
}: {
  invitations: Invitation[];
  myRole: Role | null;
  mayWithdraw: boolean;
  onAsk: (pending: Pending) => void;
}) {
  const withdrawable = (invitation: Invitation) => mayWithdraw && mayManage(myRole, invitation.role);
  const anyActions = invitations.some(withdrawable);
  return (
    <table className="table admin-table">
      <caption className="visually-hidden">Pending invitations</caption>
      <thead>
        <tr>
          <th scope="col">E-mail</th>
          <th scope="col">Role</th>
          <th scope="col">Invited by</th>
          <th scope="col">Sent</th>
          <th scope="col">Expires</th>
          {anyActions ? (
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          ) : null}
        </tr>
      </thead>
      <tbody>
        {invitations.map((invitation) => (
          <tr key={invitation.id}>
            <th scope="row" data-label="E-mail">
              <span className="wrap-anywhere">{invitation.email}</span>
            </th>
            <td data-label="Role">
              <span className={`role-badge role-${invitation.role}`}>{roleLabel(invitation.role)}</span>
            </td>
            <td data-label="Invited by">
              <span>{invitation.invitedBy ?? <span className="muted">A former member</span>}</span>
            </td>
            <td data-label="Sent">
              <When iso={invitation.createdAt} />
            </td>
            <td data-label="Expires">
              <When iso={invitation.expiresAt} />
            </td>
            {anyActions ? (
              <td data-label="Actions">
                {withdrawable(invitation) ? (
                  <span className="table-actions">
                    <button
                      type="button"
                      className="button button-secondary button-small"
                      aria-label={`Withdraw the invitation for ${invitation.email}`}
                      onClick={() => onAsk({ kind: 'withdraw', invitation })}
                    >
                      Withdraw
                    </button>
                  </span>
                ) : (
                  <span className="muted">—</span>
                )}
              </td>
            ) : null}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const inviteLabels = { email: 'E-mail', role: 'Role' } as const;
type InviteField = keyof typeof inviteLabels;

/** Invites someone with one of the roles the inviter may hand out; each role says what it may do. */
function InviteForm({ myRole, onInvited }: { myRole: Role | null; onInvited: (invitation: Invitation) => void }) {
  const offered = rolesOffered(myRole);
  const form = useForm(inviteLabels);
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role | undefined>(() => defaultInviteRole(offered));
  if (offered.length === 0 || !role) return null;
  const chosen: Role = role;

  function check(): FieldErrors<InviteField> {
    return { email: emailProblem(email, inviteLabels.email) };
  }

  async function send() {
    const invitation = await membersApi.invite(email.trim(), chosen);
    setEmail('');
    onInvited(invitation);
  }

  return (
    <section className="card admin-card" aria-labelledby="invite-heading">
      <h2 id="invite-heading">Invite someone</h2>
      <p className="muted">They get an e-mail with a link to join; the link works for 7 days.</p>
      {form.errors.form ? <Notice tone="error">{form.errors.form}</Notice> : null}
      <form noValidate onSubmit={form.onSubmit(check, send)} className="form admin-form" aria-labelledby="invite-heading">
        <TextField
          id="email"
          label={inviteLabels.email}
          type="email"
          value={email}
          onValueChange={(value) => {
            setEmail(value);
            form.clearField('email');
          }}
          error={form.errors.fields.email}
          autoComplete="off"
          inputMode="email"
          spellCheck={false}
          autoCapitalize="none"
          maxLength={254}
          required
        />
        <FieldFrame
          id="role"
          label={inviteLabels.role}
          error={form.errors.fields.role}
          control={(described) => (
            <select
              id="role"
              name="role"
              value={chosen}
              onChange={(event) => {
                setRole(event.target.value as Role);
                form.clearField('role');
              }}
              {...described}
            >
              {offered.map((each) => (
                <option key={each} value={each}>
                  {roleLabel(each)}: {roleDescription(each)}
                </option>
              ))}
            </select>
          )}
        />
        <SubmitButton busy={form.busy} busyLabel="Sending…">
          Send invitation
        </SubmitButton>
      </form>
    </section>
  );
}
