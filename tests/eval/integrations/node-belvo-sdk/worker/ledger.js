import fs from 'node:fs';
import moment from 'moment';

const FILE = process.env.LEDGER_FILE || 'ledger.json';

export function load() {
  if (!fs.existsSync(FILE)) return { links: {}, movements: {} };
  return JSON.parse(fs.readFileSync(FILE, 'utf8'));
}

export function save(ledger) {
  fs.writeFileSync(FILE, JSON.stringify(ledger, null, 2));
}

export function toMovement(tx) {
  const collected = moment(tx.collected_at, 'YYYY-MM-DDTHH:mm:ss.SSSZ', true);
  if (!collected.isValid()) {
    throw new Error(`bad collected_at ${tx.collected_at}`);
  }
  return {
    id: tx.id,
    amount: tx.type === 'INFLOW' ? tx.amount : -tx.amount,
    description: tx.description,
    date: tx.value_date,
    collectedAt: collected.toISOString(),
  };
}
