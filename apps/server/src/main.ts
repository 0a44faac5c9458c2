import { loadConfig } from './config.ts';
import { assertSafeRoles, createTenancy } from './db/tenant.ts';
import { openConfiguredDatabase } from './db/open.ts';
import { buildApp } from './app.ts';
import { createLogger } from './logger.ts';
import { scheduleAuditPartitions } from './jobs/audit-partitions.job.ts';
import { scheduleJob } from './jobs/schedule.ts';
import { failAbandonedUploads, failInterruptedUploads } from './modules/usage/upload.service.ts';

/** Reads the configuration, opens and migrates the database, checks the roles, and listens. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel, config.env);
  if (config.generatedSecretsFile) {
    logger.warn(`Generated development secrets in ${config.generatedSecretsFile} (production refuses to start without explicit secrets).`);
  }
  const opened = await openConfiguredDatabase(config);
  const applied = await opened.migrate();
  if (applied.length > 0) logger.info({ applied }, 'database migrated');
  await assertSafeRoles(opened.db, createTenancy(opened.db));
  if (opened.db.engine === 'pglite') {
    const interrupted = await failInterruptedUploads(createTenancy(opened.db));
    if (interrupted > 0) logger.warn({ interrupted }, 'uploads interrupted by the last stop were marked failed');
  }
  const { app, mail } = await buildApp({ config, db: opened.db, logger });
  const stopDelivery = mail.startDelivery();
  const stopPartitions = scheduleAuditPartitions(createTenancy(opened.db), logger);
  const stopUploadExpiry = scheduleJob('giving up abandoned uploads', 60 * 60 * 1000, () => failAbandonedUploads(createTenancy(opened.db)), logger);
  const shutdown = async (signal: string) => {
    logger.info({ signal }, 'shutting down');
    stopDelivery();
    stopPartitions();
    stopUploadExpiry();
    await app.close();
    await opened.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  await app.listen({ port: config.port, host: config.host });
  const engine = config.databaseUrl ? 'PostgreSQL server' : `embedded PostgreSQL in ${config.dataDir}`;
  logger.info(`Seatwise is ready at ${config.publicUrl} (${engine})`);
}

main().catch((error: unknown) => {
  process.stderr.write(`Seatwise could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
