import { Fragment, useEffect, useRef, useState, type FormEvent } from 'react';
import type { AuditEvent, Member } from '@seatwise/protocol';
import type { AppPageProps } from '../App.tsx';
import {
  ACTION_FAMILIES,
  apiFilterOf,
  auditViewFromForm,
  auditViewFromSearch,
  formFromAuditView,
  hasFilters,
  searchFromAuditView,
  type AuditFilterForm,
  type AuditFilterProblems,
  type AuditView,
} from '../admin/audit-filter.ts';
import { LiveMessage } from '../admin/LiveMessage.tsx';
import { viewerTimeZone } from '../admin/time-zone.ts';
import { When } from '../admin/When.tsx';
import { LoadView } from '../components/AppShell.tsx';
import { FieldFrame } from '../components/Field.tsx';
import { Notice } from '../components/Notice.tsx';
import { PageHeading, useDocumentTitle } from '../components/Page.tsx';
import { auditApi, membersApi } from '../endpoints.ts';
import { formatCount } from '../format.ts';
import { setSearch, useLocation } from '../router.ts';
import { errorMessage, isSessionEnded, leaveForSignIn, useSession } from '../session.tsx';
import { useLoad } from '../use-load.ts';
import '../styles/admin.css';

const PAGE_SIZE = 50;

export function AuditPage(_props: AppPageProps) {
  useDocumentTitle('Audit log');
  const { can } = useSession();
  const location = useLocation();
  const view = auditViewFromSearch(location.search);
  const filterKey = searchFromAuditView(apiFilterOf(view)).toString();
  const events = useLoad(
    (signal) => auditApi.list({ ...apiFilterOf(view), before: view.before, limit: PAGE_SIZE }, signal),
    searchFromAuditView(view).toString(),
  );
  // Only to name the people in the log and to offer them as a filter: the page works without it.
  const people = useLoad((signal) => (can('member:read') ? membersApi.list(signal).then((answer) => answer.members) : Promise.resolve([])), 'members');
  const members = people.state.kind === 'ready' ? people.state.data : [];
  const resultsHeading = useRef<HTMLHeadingElement>(null);

  function show(next: AuditView) {
    setSearch(searchFromAuditView(next));
    resultsHeading.current?.focus();
  }

  return (
    <>
      <PageHeading>Audit log</PageHeading>
      <p className="lead">
        Every sign-in, change, export and key event in your organisation: who, when, what, to what, from where, and whether it worked. Entries cannot be
        changed or deleted.
      </p>

      <AuditFilters key={filterKey} view={view} members={members} onApply={show} />

      <div className="page-actions">
        {can('audit:export') ? (
          <a className="button button-secondary" href={auditApi.exportUrl(apiFilterOf(view))} download>
            Export CSV
          </a>
        ) : null}
        <VerifyChain />
      </div>

      <section className="admin-section" aria-labelledby="events-heading">
        <h2 id="events-heading" ref={resultsHeading} tabIndex={-1}>
          {view.before === undefined ? 'Newest events' : 'Older events'}
        </h2>
        <LoadView state={events.state} label="audit events" onRetry={events.reload}>
          {(page) => (
            <>
              {page.events.length === 0 ? (
                <EmptyLog view={view} onClear={() => show({})} />
              ) : (
                <>
                  <p className="muted count" role="status">
                    {formatCount(page.events.length, 'event')}
                    {hasFilters(view) ? ' matching the filters' : ''}
                    {page.nextBefore !== null ? ', more are older' : ''}
                  </p>
                  <EventTable events={page.events} members={members} />
                </>
              )}
              {view.before !== undefined || page.nextBefore !== null ? (
                <nav className="pager" aria-label="Audit log pages">
                  {view.before !== undefined ? (
                    <button type="button" className="button button-secondary" onClick={() => show({ ...view, before: undefined })}>
                      Newest events
                    </button>
                  ) : null}
                  {page.nextBefore !== null ? (
                    <button type="button" className="button button-secondary" onClick={() => show({ ...view, before: page.nextBefore ?? undefined })}>
                      Older events
                    </button>
                  ) : null}
                </nav>
              ) : null}
            </>
          )}
        </LoadView>
      </section>
    </>
  );
}

function EmptyLog({ view, onClear }: { view: AuditView; onClear: () => void }) {
  if (hasFilters(view)) {
    return (
      <div className="empty-state">
        <p>No events match these filters{view.before !== undefined ? ' on this page' : ''}. Widen the time range, or clear the filters.</p>
        <p>
          <button type="button" className="button button-secondary" onClick={onClear}>
            Clear filters
          </button>
        </p>
      </div>
    );
  }
  return <p className="empty-state">{view.before !== undefined ? 'There are no older events.' : 'No events yet. Sign-ins and changes appear here as they happen.'}</p>;
}

const FILTER_FIELDS = ['actor', 'action', 'from', 'to'] as const;

/** The filter form. Applying it writes the filters into the address (so the view can be bookmarked). */
function AuditFilters({ view, members, onApply }: { view: AuditView; members: Member[]; onApply: (view: AuditView) => void }) {
  const [form, setForm] = useState<AuditFilterForm>(() => formFromAuditView(view));
  const [problems, setProblems] = useState<AuditFilterProblems>({});
  const [focusField, setFocusField] = useState<{ field: keyof AuditFilterForm } | null>(null);
  const zone = viewerTimeZone();

  useEffect(() => {
    if (focusField) document.getElementById(`audit-${focusField.field}`)?.focus();
  }, [focusField]);

  const change = (field: keyof AuditFilterForm) => (value: string) => {
    setForm((current) => ({ ...current, [field]: value }));
    setProblems((current) => ({ ...current, [field]: undefined }));
  };

  function apply(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const result = auditViewFromForm(form);
    setProblems(result.problems);
    const first = FILTER_FIELDS.find((field) => result.problems[field]);
    if (first) setFocusField({ field: first });
    else onApply(result.view);
  }

  const people = [...members].sort((a, b) => a.name.localeCompare(b.name));
  const actorUnknown = form.actor !== '' && !people.some((member) => member.userId === form.actor);

  return (
    <section className="card admin-card" aria-labelledby="filters-heading">
      <h2 id="filters-heading">Filters</h2>
      <form noValidate className="audit-filters" role="search" aria-labelledby="filters-heading" onSubmit={apply}>
        <FieldFrame
          id="audit-actor"
          label="Actor"
          error={problems.actor}
          control={(described) => (
            <select id="audit-actor" value={form.actor} onChange={(event) => change('actor')(event.target.value)} {...described}>
              <option value="">Anyone</option>
              {actorUnknown ? <option value={form.actor}>Someone no longer a member</option> : null}
              {people.map((member) => (
                <option key={member.userId} value={member.userId}>
                  {member.name} ({member.email})
                </option>
              ))}
            </select>
          )}
        />
        <FieldFrame
          id="audit-action"
          label="Action"
          error={problems.action}
          hint="Such as member.role_change, or member for every member action."
          control={(described) => (
            <>
              <input
                id="audit-action"
                type="text"
                list="audit-action-families"
                value={form.action}
                onChange={(event) => change('action')(event.target.value)}
                autoComplete="off"
                spellCheck={false}
                autoCapitalize="none"
                {...described}
              />
              <datalist id="audit-action-families">
                {ACTION_FAMILIES.map((family) => (
                  <option key={family} value={family} />
                ))}
              </datalist>
            </>
          )}
        />
        <FieldFrame
          id="audit-from"
          label="From"
          error={problems.from}
          hint={`Your time (${zone}).`}
          control={(described) => <input id="audit-from" type="datetime-local" value={form.from} onChange={(event) => change('from')(event.target.value)} {...described} />}
        />
        <FieldFrame
          id="audit-to"
          label="To"
          error={problems.to}
          hint={`Your time (${zone}).`}
          control={(described) => <input id="audit-to" type="datetime-local" value={form.to} onChange={(event) => change('to')(event.target.value)} {...described} />}
        />
        <div className="button-row audit-filter-actions">
          <button type="submit" className="button button-primary">
            Apply filters
          </button>
          {hasFilters(view) ? (
            <button type="button" className="button button-secondary" onClick={() => onApply({})}>
              Clear filters
            </button>
          ) : null}
        </div>
      </form>
    </section>
  );
}


type Verification =
  | { kind: 'idle' }
  | { kind: 'checking' }
  | { kind: 'intact'; checked: number }
  | { kind: 'broken'; firstBrokenSeq: number | null; reason: string | null }
  | { kind: 'failed'; message: string };

/** Checks the hash chain of the organisation's log on the server and says whether it holds. */
function VerifyChain() {
  const [verification, setVerification] = useState<Verification>({ kind: 'idle' });

  async function verify() {
    if (verification.kind === 'checking') return;
    setVerification({ kind: 'checking' });
    try {
      const answer = await auditApi.verify();
      setVerification(answer.ok ? { kind: 'intact', checked: answer.checked } : { kind: 'broken', firstBrokenSeq: answer.firstBrokenSeq, reason: answer.reason });
    } catch (caught) {
      if (isSessionEnded(caught)) leaveForSignIn(true);
      else setVerification({ kind: 'failed', message: errorMessage(caught) });
    }
  }

  return (
    <div className="verify-chain">
      <button type="button" className="button button-secondary" aria-disabled={verification.kind === 'checking' || undefined} onClick={() => void verify()}>
        {verification.kind === 'checking' ? (
          <>
            <span className="spinner" aria-hidden="true" />
            Verifying…
          </>
        ) : (
          'Verify integrity'
        )}
      </button>
      <LiveMessage
        message={
          verification.kind === 'intact'
            ? `The log is intact: ${formatCount(verification.checked, 'event')} checked, and each one still links to the one before it.`
            : null
        }
      />
      {verification.kind === 'broken' ? (
        <Notice tone="error" title="The log has been tampered with">
          <p>
            The chain breaks at event {verification.firstBrokenSeq ?? 'unknown'}
            {verification.reason ? `: ${verification.reason}` : ''}. Tell whoever runs this Seatwise instance.
          </p>
        </Notice>
      ) : null}
      {verification.kind === 'failed' ? <Notice tone="error">{verification.message}</Notice> : null}
    </div>
  );
}

/** Who acted: the member's name when known, else the label recorded at the time, else the system. */
function ActorCell({ event, names }: { event: AuditEvent; names: ReadonlyMap<string, string> }) {
  const name = event.actorUserId ? names.get(event.actorUserId) : undefined;
  if (name) {
    return (
      <span className="cell-stack">
        <span>{name}</span>
        {event.actorLabel && event.actorLabel !== name ? <span className="muted small wrap-anywhere">{event.actorLabel}</span> : null}
      </span>
    );
  }
  if (event.actorLabel) return <span className="wrap-anywhere">{event.actorLabel}</span>;
  return <span className="muted">{event.actorUserId ? 'A former member' : 'System or unknown'}</span>;
}

function TargetCell({ event, names }: { event: AuditEvent; names: ReadonlyMap<string, string> }) {
  if (!event.targetType && !event.targetId) return <span className="muted">—</span>;
  const name = event.targetType === 'user' && event.targetId ? names.get(event.targetId) : undefined;
  return (
    <span className="cell-stack">
      <span>{event.targetType ?? 'target'}</span>
      {name ? <span>{name}</span> : event.targetId ? <code className="small wrap-anywhere">{event.targetId}</code> : null}
    </span>
  );
}

function EventTable({ events, members }: { events: AuditEvent[]; members: Member[] }) {
  const names = new Map(members.map((member) => [member.userId, member.name]));
  const [expanded, setExpanded] = useState<ReadonlySet<number>>(new Set());
  const toggle = (seq: number) =>
    setExpanded((current) => {
      const next = new Set(current);
      if (!next.delete(seq)) next.add(seq);
      return next;
    });
  return (
    <table className="table admin-table audit-table">
      <caption className="visually-hidden">Audit events</caption>
      <thead>
        <tr>
          <th scope="col">Time</th>
          <th scope="col">Actor</th>
          <th scope="col">Action</th>
          <th scope="col">Target</th>
          <th scope="col">Outcome</th>
          <th scope="col">IP</th>
          <th scope="col">Details</th>
        </tr>
      </thead>
      <tbody>
        {events.map((event) => {
          const open = expanded.has(event.seq);
          const detailsId = `audit-event-${event.seq}`;
          return (
            <Fragment key={event.seq}>
              <tr>
                <th scope="row" data-label="Time">
                  <When iso={event.occurredAt} />
                </th>
                <td data-label="Actor">
                  <ActorCell event={event} names={names} />
                </td>
                <td data-label="Action">
                  <code className="no-wrap">{event.action}</code>
                </td>
                <td data-label="Target">
                  <TargetCell event={event} names={names} />
                </td>
                <td data-label="Outcome">
                  <span className={`status-badge ${event.outcome === 'success' ? 'status-good' : 'status-bad'}`}>{event.outcome}</span>
                </td>
                <td data-label="IP">{event.ip ? <code className="no-wrap">{event.ip}</code> : <span className="muted">—</span>}</td>
                <td data-label="Details">
                  <span>
                    <button type="button" className="button-link" aria-expanded={open} aria-controls={detailsId} onClick={() => toggle(event.seq)}>
                      {open ? 'Hide' : 'Show'}
                      <span className="visually-hidden"> the details of event {event.seq}</span>
                    </button>
                  </span>
                </td>
              </tr>
              <tr id={detailsId} className="event-details" hidden={!open}>
                <td colSpan={7} data-label={`Event ${event.seq}`}>
                  {/* Text only: whatever the details hold is shown as characters, never as markup. */}
                  <pre>{JSON.stringify({ target: event.targetId, userAgent: event.userAgent, details: event.details }, null, 2)}</pre>
                </td>
              </tr>
            </Fragment>
          );
        })}
      </tbody>
    </table>
  );
}
