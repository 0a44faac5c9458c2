/**
 * The audit log's filters, kept in the page's query string so that a filtered view can be bookmarked and
 * shared: `?actor=<userId>&action=member&from=<ISO>&to=<ISO>&before=<seq>`. Times in the address are ISO
 * 8601 with the viewer's UTC offset (unambiguous wherever the link is opened); the form shows them as
 * `datetime-local` values in the viewer's zone.
 */
import type { AuditFilter } from '../endpoints.ts';

/** What the audit page shows: the filters and, when paging back, the sequence number to start below. */
export interface AuditView {
  actor?: string;
  action?: string;
  from?: string;
  to?: string;
  before?: number;
}

/** The filter form's raw values (`from` and `to` as `datetime-local` values). */
export interface AuditFilterForm {
  actor: string;
  action: string;
  from: string;
  to: string;
}

export type AuditFilterProblems = Partial<Record<keyof AuditFilterForm, string>>;

/** The server's rule for the action filter (an action such as `member.role_change`, or a family: `member`). */
export const ACTION_PATTERN = /^[a-z_.]+$/;
export const ACTION_MAX_LENGTH = 100;

/** Families of actions the server records, offered as suggestions; any other action can be typed. */
export const ACTION_FAMILIES = ['apikey', 'audit', 'auth', 'feature', 'license_server', 'member', 'org', 'usage'] as const;

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const LOCAL_INPUT_PATTERN = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?$/;

const pad = (value: number, width = 2) => String(value).padStart(width, '0');

function isIsoInstant(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value) && !Number.isNaN(Date.parse(value));
}

/** The instant in ISO 8601 with the viewer's UTC offset at that instant: "2025-03-12T14:05:00+01:00". */
export function isoWithLocalOffset(date: Date): string {
  const offset = -date.getTimezoneOffset();
  const sign = offset < 0 ? '-' : '+';
  const minutes = Math.abs(offset);
  const day = `${pad(date.getFullYear(), 4)}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
  const time = `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
  return `${day}T${time}${sign}${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;
}

/**
 * A `datetime-local` value ("2025-03-12T14:05", the viewer's wall-clock time) as an ISO instant with the
 * viewer's offset; undefined when it is not a real date and time.
 */
export function localInputToIso(value: string): string | undefined {
  const match = LOCAL_INPUT_PATTERN.exec(value.trim());
  if (!match) return undefined;
  const [year, month, day, hours, minutes, seconds] = match.slice(1).map((part) => Number(part ?? 0)) as [number, number, number, number, number, number];
  const date = new Date(year, month - 1, day, hours, minutes, seconds);
  // new Date() rolls 31 April over into May; such a value was not a real date.
  if (date.getFullYear() !== year || date.getMonth() !== month - 1 || date.getDate() !== day) return undefined;
  return isoWithLocalOffset(date);
}

/** An ISO instant as a `datetime-local` value in the viewer's zone ("" when it cannot be read). */
export function isoToLocalInput(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const seconds = date.getSeconds() ? `:${pad(date.getSeconds())}` : '';
  return `${pad(date.getFullYear(), 4)}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}${seconds}`;
}

/** The view an address asks for. Values the server would refuse (a hand-edited address) are left out. */
export function auditViewFromSearch(search: URLSearchParams): AuditView {
  const view: AuditView = {};
  const actor = search.get('actor');
  if (actor && UUID_PATTERN.test(actor)) view.actor = actor.toLowerCase();
  const action = search.get('action');
  if (action && action.length <= ACTION_MAX_LENGTH && ACTION_PATTERN.test(action)) view.action = action;
  for (const name of ['from', 'to'] as const) {
    const value = search.get(name);
    if (value && isIsoInstant(value)) view[name] = value;
  }
  const before = search.get('before');
  if (before && /^[1-9]\d{0,15}$/.test(before)) view.before = Number(before);
  return view;
}

/** The query string for a view, in a fixed order (so equal views give equal addresses). */
export function searchFromAuditView(view: AuditView): URLSearchParams {
  const search = new URLSearchParams();
  if (view.actor) search.set('actor', view.actor);
  if (view.action) search.set('action', view.action);
  if (view.from) search.set('from', view.from);
  if (view.to) search.set('to', view.to);
  if (view.before !== undefined) search.set('before', String(view.before));
  return search;
}

/** True when the view narrows the log by actor, action or time (paging alone is not a filter). */
export function hasFilters(view: AuditView): boolean {
  return Boolean(view.actor || view.action || view.from || view.to);
}

/** The filter as the API takes it (without paging: that is added per request). */
export function apiFilterOf(view: AuditView): Omit<AuditFilter, 'before' | 'limit'> {
  const filter: Omit<AuditFilter, 'before' | 'limit'> = {};
  if (view.actor) filter.actor = view.actor;
  if (view.action) filter.action = view.action;
  if (view.from) filter.from = view.from;
  if (view.to) filter.to = view.to;
  return filter;
}

/** The form's values for a view. */
export function formFromAuditView(view: AuditView): AuditFilterForm {
  return {
    actor: view.actor ?? '',
    action: view.action ?? '',
    from: view.from ? isoToLocalInput(view.from) : '',
    to: view.to ? isoToLocalInput(view.to) : '',
  };
}

/**
 * The view the form asks for (starting again from the newest events), or the problems to show beside its
 * fields. The action is lower-cased, as the server records actions.
 */
export function auditViewFromForm(form: AuditFilterForm): { view: AuditView; problems: AuditFilterProblems } {
  const problems: AuditFilterProblems = {};
  const view: AuditView = {};
  if (form.actor) view.actor = form.actor;
  const action = form.action.trim().toLowerCase();
  if (action) {
    if (action.length > ACTION_MAX_LENGTH) problems.action = `Action must be at most ${ACTION_MAX_LENGTH} characters.`;
    else if (!ACTION_PATTERN.test(action)) problems.action = 'Action may contain only letters a–z, _ and . (for example member.role_change, or member for all member actions).';
    else view.action = action;
  }
  for (const [name, label] of [['from', 'From'], ['to', 'To']] as const) {
    if (!form[name]) continue;
    const iso = localInputToIso(form[name]);
    if (iso) view[name] = iso;
    else problems[name] = `${label} must be a date and time, like 2025-03-12 14:05.`;
  }
  if (view.from && view.to && Date.parse(view.to) < Date.parse(view.from)) problems.to = 'To must not be before From.';
  return { view, problems };
}
