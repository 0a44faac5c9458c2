import { loadConfig } from '../config.ts';
import { openConfiguredDatabase } from '../db/open.ts';
import { createTenancy } from '../db/tenant.ts';
import { verifyAuditChain } from '../modules/audit/audit.service.ts';

/** `npm run audit:verify`: checks every organisation's audit chain and reports the first broken link of each. */
async function run(): Promise<number> {
  const config = loadConfig();
  const opened = await openConfiguredDatabase(config);
  try {
    const tenancy = createTenancy(opened.db);
    const orgIds = await tenancy.withSystemTx('audit verification: list every chain', async (tx) =>
      (await tx.query<{ org_id: string }>('SELECT org_id FROM audit_chain_heads ORDER BY org_id')).rows.map((row) => row.org_id),
    );
    let broken = 0;
    for (const orgId of orgIds) {
      const result = await tenancy.withTenantTx({ orgId, userId: null }, (tx) => verifyAuditChain(tx, orgId));
      if (result.ok) {
        process.stdout.write(`ok      ${orgId}  ${result.checked} events\n`);
      } else {
        broken += 1;
        process.stdout.write(`BROKEN  ${orgId}  at event ${result.firstBrokenSeq}: ${result.reason} (${result.checked} verified before it)\n`);
      }
    }
    process.stdout.write(`${orgIds.length} chains checked, ${broken} broken.\n`);
    return broken > 0 ? 1 : 0;
  } finally {
    await opened.close();
  }
}

run().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`Audit verification failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  },
);
