/**
 * One feature's usage: a summary of the range in words, seats in use over time (exact steps, seats owned,
 * peaks) with denials on the same time axis, the busiest hours of the week, and who uses it. The range,
 * server and bucket live in the query string, so a view can be bookmarked.
 */
import type { ReactNode } from 'react';
import type { AppPageProps } from '../App.tsx';
import { LoadView } from '../components/AppShell.tsx';
import { Link } from '../components/Link.tsx';
import { Notice } from '../components/Notice.tsx';
import { PageHeading, useDocumentTitle } from '../components/Page.tsx';
import { licenseApi, usageApi, type UsageRange } from '../endpoints.ts';
import { formatCount, formatDateTime, formatHours, formatPercent, formatSeats, isoDay } from '../format.ts';
import { setSearch, useLocation } from '../router.ts';
import { useSession } from '../session.tsx';
import { useLoad } from '../use-load.ts';
import { MAX_HOURLY_DAYS, MAX_PEOPLE_PAGE, type Feature, type FeatureConcurrency, type FeatureSummary, type LicenseServer } from '@seatwise/protocol';
import { formatBucket } from '../charts/buckets.ts';
import { HourOfWeekHeatmap } from '../charts/HourOfWeekHeatmap.tsx';
import { PeopleLists } from '../charts/PeopleLists.tsx';
import { bucketAllowed, readView, viewSearch, type FeatureView } from '../charts/range.ts';
import { RangeControls } from '../charts/RangeControls.tsx';
import { featureSummary, hasUsage, serverZones, singleZone, zonesTitle } from '../charts/summary.ts';
import { UsageCharts } from '../charts/UsageCharts.tsx';
import { viewerZone } from '../charts/zone.ts';
import '../styles/feature.css';

export function FeaturePage({ params }: AppPageProps) {
  const featureId = params.featureId ?? '';
  const { state, reload } = useLoad(async (signal) => {
    const [features, servers] = await Promise.all([licenseApi.features(signal), licenseApi.servers(signal)]);
    return { feature: features.features.find((feature) => feature.id === featureId) ?? null, servers: servers.licenseServers };
  }, featureId);
  useDocumentTitle(state.kind === 'ready' && state.data.feature ? state.data.feature.name : 'Feature');

  return (
    <>
      <p className="feature-back">
        <Link href="/license-servers">
          <span aria-hidden="true">← </span>Back to licenses
        </Link>
      </p>
      {state.kind === 'ready' ? (
        state.data.feature ? (
          <FeatureUsage feature={state.data.feature} servers={state.data.servers} />
        ) : (
          <>
            <PageHeading>Feature not found</PageHeading>
            <p>This feature does not exist in your organisation (it may have been merged away, or the address is mistyped). The licenses page lists every feature.</p>
          </>
        )
      ) : (
        <>
          {state.kind === 'failed' ? <PageHeading>Feature</PageHeading> : null}
          <LoadView state={state} label="the feature" onRetry={reload}>
            {() => null}
          </LoadView>
        </>
      )}
    </>
  );
}

function FeatureUsage({ feature, servers }: { feature: Feature; servers: readonly LicenseServer[] }) {
  const { search } = useLocation();
  const today = isoDay(new Date());
  const asked = readView(search, today);
  // A server that is not (or no longer) this organisation's: all servers instead.
  const view: FeatureView = asked.serverId && !servers.some((server) => server.id === asked.serverId) ? { ...asked, serverId: null } : asked;
  const server = servers.find((candidate) => candidate.id === view.serverId) ?? null;
  const zones = serverZones(servers, view.serverId);
  const zone = singleZone(zones) ?? viewerZone();
  const range: UsageRange = { from: view.from, to: view.to, ...(view.serverId ? { licenseServerId: view.serverId } : {}) };
  const rangeKey = `${feature.id}|${view.from}|${view.to}|${view.serverId ?? ''}`;
  const rangeWords = `${formatBucket('day', view.from)} to ${formatBucket('day', view.to)}`;

  const usage = useLoad(async (signal) => {
    const [summary, steps, hours, people] = await Promise.all([
      usageApi.summary(range, signal),
      usageApi.concurrency(feature.id, range, signal),
      bucketAllowed(view, 'hour') ? usageApi.timeline(feature.id, { ...range, bucket: 'hour' }, signal) : Promise.resolve(null),
      usageApi.people(feature.id, { ...range, limit: MAX_PEOPLE_PAGE }, signal),
    ]);
    return { row: featureSummary(summary, feature.id), steps, hours, people };
  }, rangeKey);
  // Hour buckets are the hourly timeline loaded above for the heatmap; other sizes load on their own, so
  // switching between them leaves the rest of the page as it is.
  const buckets = useLoad(
    (signal) => (view.bucket === 'hour' ? Promise.resolve(null) : usageApi.timeline(feature.id, { ...range, bucket: view.bucket }, signal)),
    `${rangeKey}|${view.bucket}`,
  );

  const seatsOwned = usage.state.kind === 'ready' ? usage.state.data.steps.feature.seatsOwned : feature.seatsOwned;
  const zoneWords = singleZone(zones) ? `the license server's time zone (${zone})` : `your time zone (${zone})`;

  return (
    <>
      <PageHeading>{feature.name}</PageHeading>
      <p className="lead muted feature-lead">
        {feature.vendor ? `Vendor daemon ${feature.vendor} · ` : ''}
        {seatsOwned === null ? 'Seats owned not entered' : `${formatSeats(seatsOwned)} owned`} · {server ? `${server.name} (${server.timeZone})` : 'All license servers'}
      </p>
      <RangeControls view={view} servers={servers} today={today} onChange={(next) => setSearch(viewSearch(next))} />
      <LoadView state={usage.state} label="usage" onRetry={usage.reload}>
        {({ row, steps, hours, people }) => (
          <>
            <Summary row={row} steps={steps} zones={zones} rangeWords={rangeWords} />
            {hasUsage(row, steps) ? (
              <>
                <LoadView state={buckets.state} label="the timeline" onRetry={buckets.reload}>
                  {(timeline) => {
                    const shown = timeline ?? hours;
                    return shown ? <UsageCharts key={rangeKey} steps={steps} timeline={shown} zone={zone} zones={zones} range={rangeWords} /> : null;
                  }}
                </LoadView>
                {hours ? (
                  <HourOfWeekHeatmap hours={hours.points} zone={zone} zoneWords={zoneWords} range={rangeWords} />
                ) : (
                  <Notice tone="info">The busiest hours of the week are worked out from hourly figures, which can be asked for over at most {MAX_HOURLY_DAYS} days at once. Choose a shorter range to see them.</Notice>
                )}
                <PeopleLists people={people} zones={zones} serverChosen={view.serverId !== null} />
              </>
            ) : (
              <NoUsage name={feature.name} rangeWords={rangeWords} serverName={server?.name ?? null} />
            )}
          </>
        )}
      </LoadView>
    </>
  );
}

function Figure({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="feature-figure">
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

/** The range's figures in words: what the charts show, for everyone (and for screen readers first). */
function Summary({ row, steps, zones, rangeWords }: { row: FeatureSummary | undefined; steps: FeatureConcurrency; zones: readonly string[]; rangeWords: string }) {
  const { can } = useSession();
  const seatsOwned = steps.feature.seatsOwned;
  const peak = row?.peak ?? 0;
  const peakAt = row?.peakAt ?? null;
  return (
    <section className="feature-summary" aria-labelledby="feature-summary-heading">
      <h2 id="feature-summary-heading">
        Summary <span className="muted feature-summary-range">{rangeWords}</span>
      </h2>
      <dl className="feature-figures">
        <Figure label="Peak">
          {formatSeats(peak)}
          {peakAt ? (
            <span className="feature-figure-note">
              on{' '}
              <time dateTime={peakAt} title={zonesTitle(peakAt, zones)}>
                {formatDateTime(peakAt)}
              </time>
            </span>
          ) : null}
        </Figure>
        <Figure label="Seats owned">
          {seatsOwned === null ? (
            <>
              Not entered
              <span className="feature-figure-note">
                {can('license:manage') ? <Link href="/license-servers">Enter seats owned</Link> : 'An Owner or Admin can enter them.'}
              </span>
            </>
          ) : (
            formatSeats(seatsOwned)
          )}
        </Figure>
        <Figure label="Average in use">{formatSeats(row?.averageInUse ?? 0)}</Figure>
        <Figure label="Utilisation">
          {row?.utilisation ? (
            <>
              {formatPercent(row.utilisation.average)} on average
              <span className="feature-figure-note">{formatPercent(row.utilisation.peak)} at peak</span>
            </>
          ) : (
            <>
              —<span className="feature-figure-note">needs seats owned</span>
            </>
          )}
        </Figure>
        <Figure label="Distinct users per day">
          {formatCount(row?.maxDailyUsers ?? 0, 'person', 'people')}
          <span className="feature-figure-note">on the busiest day</span>
        </Figure>
        <Figure label="Seat-hours">{formatHours(row?.seatHours ?? 0)}</Figure>
        <Figure label="True denials">{formatCount(row?.denials ?? 0, 'denial')}</Figure>
        <Figure label="Retried denials">{formatCount(row?.retriedDenials ?? 0, 'denial')}</Figure>
      </dl>
    </section>
  );
}

function NoUsage({ name, rangeWords, serverName }: { name: string; rangeWords: string; serverName: string | null }) {
  const { can } = useSession();
  const upload = can('usage:ingest');
  const agent = can('apikey:manage');
  return (
    <div className="card feature-empty">
      <h2>No usage in this range</h2>
      <p>
        Nobody held or was denied {name} from {rangeWords}
        {serverName ? ` on ${serverName}` : ''}. Choose a longer range or another server, or add usage data.
      </p>
      {upload || agent ? (
        <ul className="feature-empty-actions">
          {upload ? (
            <li>
              <Link href="/upload">Smart Upload</Link>: upload a license-server log.
            </li>
          ) : null}
          {agent ? (
            <li>
              <Link href="/api-keys">Agents and API keys</Link>: connect an on-prem agent that sends usage as it happens.
            </li>
          ) : null}
        </ul>
      ) : (
        <p>Ask an Owner or Admin to upload a log or connect an agent.</p>
      )}
    </div>
  );
}
