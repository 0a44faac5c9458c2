import type { AnalyticsSummary, FeatureSummary } from '@seatwise/protocol';
import type { AppPageProps } from '../App.tsx';
import { LoadView } from '../components/AppShell.tsx';
import { Link } from '../components/Link.tsx';
import { PageHeading, useDocumentTitle } from '../components/Page.tsx';
import { usageApi } from '../endpoints.ts';
import { daysBefore, formatCount, formatDateTime, formatHours, formatPercent, formatSeats, isoDay } from '../format.ts';
import { closestToOwned, leastUsed, mostDenied, previousPeriod, totalsOf, trend, type Period, type Trend } from '../overview/rankings.ts';
import { roleDescription, roleLabel } from '../roles.ts';
import { setSearch, useLocation } from '../router.ts';
import { useSession } from '../session.tsx';
import { useLoad } from '../use-load.ts';
import '../styles/overview.css';

/** The periods offered, in days ending today. */
const PERIODS = [
  { days: 7, label: 'Last 7 days' },
  { days: 30, label: 'Last 30 days' },
  { days: 90, label: 'Last 90 days' },
  { days: 365, label: 'Last 12 months' },
] as const;
const DEFAULT_DAYS = 30;

function periodFor(days: number): Period {
  const to = isoDay(new Date());
  return { from: daysBefore(to, days - 1), to };
}

export function OverviewPage(_props: AppPageProps) {
  useDocumentTitle('Overview');
  const { orgName, role, can, me } = useSession();
  return (
    <>
      <PageHeading>{orgName ?? 'Welcome to Seatwise'}</PageHeading>
      <p className="lead">
        Signed in as <strong>{me.user.name}</strong>
        {role ? (
          <>
            {' '}
            — <span className={`role-badge role-${role}`}>{roleLabel(role)}</span> <span className="muted">{roleDescription(role)}</span>
          </>
        ) : null}
      </p>
      {role === null ? <p>You do not belong to an organisation yet. Ask someone in your company to invite you.</p> : null}
      {can('usage:read') ? <UsageOverview /> : null}
    </>
  );
}

function UsageOverview() {
  const { search } = useLocation();
  const requested = Number(search.get('days'));
  const days = PERIODS.some((period) => period.days === requested) ? requested : DEFAULT_DAYS;
  const period = periodFor(days);
  const before = previousPeriod(period);
  const { state, reload } = useLoad(
    async (signal) => {
      const [current, previous] = await Promise.all([usageApi.summary(period, signal), usageApi.summary(before, signal)]);
      return { current, previous };
    },
    `${period.from}/${period.to}`,
  );

  function choose(value: string) {
    const next = new URLSearchParams(search);
    if (Number(value) === DEFAULT_DAYS) next.delete('days');
    else next.set('days', value);
    setSearch(next);
  }

  return (
    <section aria-labelledby="usage-heading" className="overview">
      <div className="section-heading overview-heading">
        <h2 id="usage-heading">License usage</h2>
        <div className="field overview-period">
          <label htmlFor="overview-period">Period</label>
          <select id="overview-period" value={days} onChange={(event) => choose(event.target.value)}>
            {PERIODS.map((option) => (
              <option key={option.days} value={option.days}>
                {option.label}
              </option>
            ))}
          </select>
        </div>
      </div>
      <LoadView state={state} label="usage" onRetry={reload}>
        {({ current, previous }) => <UsageReport current={current} previous={previous} />}
      </LoadView>
    </section>
  );
}

function UsageReport({ current, previous }: { current: AnalyticsSummary; previous: AnalyticsSummary }) {
  const { can } = useSession();
  const used = current.features.filter((feature) => feature.peak > 0 || feature.seatsOwned !== null);
  if (used.length === 0) return <NoUsageYet />;
  const totals = totalsOf(used);
  const before = totalsOf(previous.features);
  const range = `${current.from} to ${current.to}`;

  return (
    <>
      <p className="muted">
        {range}, compared with the {current.days} days before.
      </p>
      <dl className="overview-totals">
        <Total label="Seat-hours used" value={formatHours(totals.seatHours)} trend={trend(totals.seatHours, before.seatHours)} />
        <Total label="True denials" value={formatCount(totals.denials, 'denial')} trend={trend(totals.denials, before.denials)} moreIsWorse />
        <Total label="Retried denials" value={formatCount(totals.retriedDenials, 'denial')} trend={trend(totals.retriedDenials, before.retriedDenials)} moreIsWorse />
        <Total label="Seats owned" value={formatSeats(totals.seatsOwned)} />
        <Total label="Seats never in use at once" value={formatSeats(totals.unusedSeats)} />
        <Total label="Features" value={String(totals.features)} />
      </dl>
      {totals.withoutSeatsOwned > 0 ? (
        <p className="notice notice-info overview-hint">
          {formatCount(totals.withoutSeatsOwned, 'feature has', 'features have')} no seats owned entered, so their utilisation is unknown.{' '}
          {can('license:manage') ? <Link href="/license-servers">Enter seats owned</Link> : 'An Admin can enter them.'}
        </p>
      ) : null}
      <div className="overview-lists">
        <FeatureList
          id="closest"
          title="Closest to seats owned"
          empty="No feature with seats owned was in use."
          features={closestToOwned(used)}
          figure={(feature) => `${formatPercent(feature.utilisation?.peak)} at peak (${formatSeats(feature.peak)} of ${feature.seatsOwned ?? '?'})`}
        />
        <FeatureList
          id="denied"
          title="Most denied"
          empty="Nobody was turned away in this period."
          features={mostDenied(used)}
          figure={(feature) => `${formatCount(feature.denials, 'true denial')}, ${formatCount(feature.retriedDenials, 'retried')}`}
        />
        <FeatureList
          id="least-used"
          title="Least used — cancellation candidates"
          empty="Every feature with seats owned reached all of them."
          features={leastUsed(used)}
          figure={(feature) => `${formatSeats(feature.unusedSeats ?? 0)} never used at once; ${formatPercent(feature.utilisation?.average)} used on average`}
        />
      </div>
    </>
  );
}

function Total({ label, value, trend: change, moreIsWorse = false }: { label: string; value: string; trend?: Trend; moreIsWorse?: boolean }) {
  return (
    <div className="overview-total">
      <dt>{label}</dt>
      <dd>
        <span className="overview-total-value">{value}</span>
        {change ? <TrendNote trend={change} moreIsWorse={moreIsWorse} /> : null}
      </dd>
    </div>
  );
}

function TrendNote({ trend: change, moreIsWorse }: { trend: Trend; moreIsWorse: boolean }) {
  if (change.change === null) return <span className="trend muted">{change.current > 0 ? 'none in the period before' : 'no change'}</span>;
  if (Math.abs(change.change) < 0.005) return <span className="trend muted">no change</span>;
  const up = change.change > 0;
  const good = up !== moreIsWorse;
  return (
    <span className={`trend ${good ? 'trend-good' : 'trend-bad'}`}>
      <span aria-hidden="true">{up ? '▲' : '▼'} </span>
      {up ? 'up' : 'down'} {formatPercent(Math.abs(change.change))} on the period before
    </span>
  );
}

function FeatureList({
  id,
  title,
  empty,
  features,
  figure,
}: {
  id: string;
  title: string;
  empty: string;
  features: FeatureSummary[];
  figure: (feature: FeatureSummary) => string;
}) {
  return (
    <section className="card overview-list" aria-labelledby={`${id}-heading`}>
      <h3 id={`${id}-heading`}>{title}</h3>
      {features.length === 0 ? (
        <p className="muted">{empty}</p>
      ) : (
        <ol>
          {features.map((feature) => (
            <li key={feature.featureId}>
              <Link href={`/features/${feature.featureId}`}>{feature.name}</Link>
              {feature.vendor ? <span className="muted"> ({feature.vendor})</span> : null}
              <span className="overview-figure">{figure(feature)}</span>
              {feature.peakAt && id === 'closest' ? (
                <span className="muted overview-figure">peak on {formatDateTime(feature.peakAt)}</span>
              ) : null}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function NoUsageYet() {
  const { can } = useSession();
  const upload = can('usage:ingest');
  const agent = can('apikey:manage');
  return (
    <div className="card empty-state">
      <h3>No usage yet</h3>
      <p>Seatwise shows usage once it has some to read: a license-server log, a status report or an agent sending what it sees.</p>
      {upload || agent ? (
        <p className="empty-actions">
          {upload ? (
            <Link href="/upload" className="button button-primary">
              Upload a log
            </Link>
          ) : null}
          {agent ? (
            <Link href="/api-keys" className="button button-secondary">
              Connect an agent
            </Link>
          ) : null}
        </p>
      ) : (
        <p>Ask an Owner or Admin to upload a log or connect an agent.</p>
      )}
    </div>
  );
}
