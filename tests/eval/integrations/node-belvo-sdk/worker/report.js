// Prints a monthly cash-flow report from ledger.json (no Belvo calls).
import { load } from './ledger.js';

function monthOf(date) {
  return date.slice(0, 7);
}

export function monthlyTotals(ledger) {
  const totals = {};
  for (const movement of Object.values(ledger.movements)) {
    const month = monthOf(movement.date);
    totals[month] ??= { in: 0, out: 0 };
    if (movement.amount >= 0) totals[month].in += movement.amount;
    else totals[month].out -= movement.amount;
  }
  return totals;
}

const totals = monthlyTotals(load());
for (const [month, { in: inflow, out }] of Object.entries(totals).sort()) {
  console.log(`${month}  in ${inflow.toFixed(2)}  out ${out.toFixed(2)}  net ${(inflow - out).toFixed(2)}`);
}
