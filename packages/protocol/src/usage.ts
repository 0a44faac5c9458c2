import { z } from 'zod';
import { IsoDateTime, PlainText, Uuid } from './common.ts';
import { TimeZoneName } from './ingest.ts';
import { MAX_SEATS_OWNED, UPLOAD_FILE_NAME_MAX_LENGTH } from './limits.ts';

/** License servers, features and their owned seats: what usage is measured against. */

export const LicenseServer = z.object({
  id: Uuid,
  name: z.string(),
  host: z.string(),
  port: z.number().int().nullable(),
  timeZone: z.string(),
  createdAt: IsoDateTime,
});
export type LicenseServer = z.infer<typeof LicenseServer>;
export const LicenseServerList = z.object({ licenseServers: z.array(LicenseServer) });
export const LicenseServerParams = z.strictObject({ licenseServerId: Uuid });

export const CreateLicenseServerRequest = z.strictObject({
  name: PlainText(200),
  host: z.string().trim().max(256).default(''),
  port: z.number().int().min(1).max(65535).nullable().default(null),
  timeZone: TimeZoneName,
});
export type CreateLicenseServerRequest = z.input<typeof CreateLicenseServerRequest>;

export const UpdateLicenseServerRequest = z
  .strictObject({
    name: PlainText(200).optional(),
    host: z.string().trim().max(256).optional(),
    port: z.number().int().min(1).max(65535).nullable().optional(),
    timeZone: TimeZoneName.optional(),
  })
  .refine((body) => Object.keys(body).length > 0, 'name at least one field to change');

export const Feature = z.object({
  id: Uuid,
  vendor: z.string(),
  name: z.string(),
  seatsOwned: z.number().int().nullable(),
  createdAt: IsoDateTime,
});
export type Feature = z.infer<typeof Feature>;
export const FeatureList = z.object({ features: z.array(Feature) });
export const FeatureParams = z.strictObject({ featureId: Uuid });
export const UpdateFeatureRequest = z.strictObject({
  /** Seats the organisation owns of this feature (null: not entered). */
  seatsOwned: z.number().int().min(0).max(MAX_SEATS_OWNED).nullable(),
});


export const UPLOAD_STATUSES = ['waiting', 'running', 'done', 'duplicate', 'failed'] as const;

export const CreateUploadRequest = z.strictObject({
  /** The license server the file comes from: its time zone reads the log's wall-clock times. */
  licenseServerId: Uuid,
  fileName: PlainText(UPLOAD_FILE_NAME_MAX_LENGTH),
  /** The date of the first lines, for logs that do not say it themselves (YYYY-MM-DD). */
  startDate: z.iso.date().nullable().default(null),
});
export type CreateUploadRequest = z.input<typeof CreateUploadRequest>;

export const Upload = z.object({
  id: Uuid,
  licenseServerId: Uuid,
  fileName: z.string(),
  status: z.enum(UPLOAD_STATUSES),
  /** While running: reading and parsing the file, then storing what it found. */
  phase: z.enum(['parsing', 'storing']).nullable(),
  format: z.string().nullable(),
  sha256: z.string().nullable(),
  /** The earlier upload with the same content for the same server, when this one is a duplicate. */
  duplicateOf: Uuid.nullable(),
  startDate: z.string().nullable(),
  bytesDone: z.number().int(),
  linesDone: z.number().int(),
  events: z.number().int(),
  sessions: z.number().int(),
  denials: z.number().int(),
  snapshots: z.number().int(),
  firstEventAt: IsoDateTime.nullable(),
  lastEventAt: IsoDateTime.nullable(),
  /** The first diagnostics, with line numbers; diagnosticsTotal counts them all. */
  diagnostics: z.array(z.object({ line: z.number().int(), reason: z.string() })),
  diagnosticsTotal: z.number().int(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  createdAt: IsoDateTime,
  finishedAt: IsoDateTime.nullable(),
});
export type Upload = z.infer<typeof Upload>;
export const UploadList = z.object({ uploads: z.array(Upload) });
export const UploadParams = z.strictObject({ uploadId: Uuid });
