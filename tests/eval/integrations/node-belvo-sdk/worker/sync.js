// Nightly job: registers pending bank logins and imports movements into ledger.json.
import { belvoClient } from './client.js';
import { load, save, toMovement } from './ledger.js';

async function registerPending(client, ledger) {
  for (const pending of ledger.pending || []) {
    const link = await client.links.register(pending.institution, pending.username, pending.password, {
      externalId: pending.userId,
      accessMode: 'recurrent',
    });
    ledger.links[link.id] = { user: pending.userId, institution: pending.institution, status: link.status };
  }
  ledger.pending = [];
}

async function importMovements(client, ledger) {
  for (const linkId of Object.keys(ledger.links)) {
    try {
      const transactions = await client.transactions.list({ filters: { link: linkId } });
      for (const tx of transactions) {
        ledger.movements[tx.id] = toMovement(tx);
      }
    } catch (error) {
      console.error(`link ${linkId}: belvo error`, error.statusCode, JSON.stringify(error.detail));
    }
  }
}

async function main() {
  const client = await belvoClient();
  const ledger = load();
  await registerPending(client, ledger);
  await importMovements(client, ledger);
  save(ledger);
  console.log(`ledger has ${Object.keys(ledger.movements).length} movements`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
