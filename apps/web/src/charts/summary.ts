/**
 * The feature page's figures in words: which summary row is this feature's, whether anything happened in
 * the range, and which license-server zones an instant is read in on hover.
 */
import type { AnalyticsSummary, FeatureConcurrency, FeatureSummary, LicenseServer } from '@seatwise/protocol';
import { inZone } from '../format.ts';

/** This feature's row of a summary; undefined when the summary does not list it (a server that never served it). */
export function featureSummary(summary: AnalyticsSummary, featureId: string): FeatureSummary | undefined {
  return summary.features.find((feature) => feature.featureId === featureId);
}

/** True when seats were held or people were denied at some point of the range. */
export function hasUsage(row: FeatureSummary | undefined, steps: Pick<FeatureConcurrency, 'initialInUse' | 't'>): boolean {
  const summarised = row !== undefined && (row.peak > 0 || row.seatHours > 0 || row.denials > 0 || row.retriedDenials > 0);
  return summarised || steps.initialInUse > 0 || steps.t.length > 0;
}

/** The zones the page's servers are in: the chosen server's, or every server's (each once, sorted). */
export function serverZones(servers: readonly Pick<LicenseServer, 'id' | 'timeZone'>[], serverId: string | null): string[] {
  const chosen = serverId === null ? servers : servers.filter((server) => server.id === serverId);
  return [...new Set(chosen.map((server) => server.timeZone))].sort();
}

/** The zone local days are read in: the one zone of the servers shown, else null (the viewer's zone is used). */
export function singleZone(zones: readonly string[]): string | null {
  return zones.length === 1 ? zones[0]! : null;
}

/** Hover text for an instant: how it reads in each license server's zone, one line each. */
export function zonesTitle(iso: string, zones: readonly string[]): string | undefined {
  return zones.length > 0 ? zones.map((zone) => inZone(iso, zone)).join('\n') : undefined;
}
