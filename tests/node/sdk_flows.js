// Runs the official belvo npm SDK (unchanged) against a live belvo-check simulator.
// Usage: node sdk_flows.js <url> <secret_id> <secret_password>; prints one JSON object of results.
const Belvo = require('belvo').default;
const Institutions = require('belvo/lib/institutions').default;

async function expectError(promise) {
  try {
    await promise;
  } catch (err) {
    // post/patch wrap errors in RequestError; list() lets the raw axios error through.
    const response = err.response || {};
    return { statusCode: err.statusCode || response.status, detail: err.detail || response.data, kind: err.name };
  }
  throw new Error('expected a RequestError');
}

async function main() {
  const [url, secretId, secretPassword] = process.argv.slice(2);
  const out = {};
  const client = new Belvo(secretId, secretPassword, url);
  await client.connect();
  out.login = true;

  out.institutions = (await client.institutions.list({ limit: 1000 })).map((i) => i.name);

  const link = await client.links.register('erebor_mx_retail', 'bnk100', 'full', { externalId: 'node-user-1' });
  out.link = link;

  // MFA: register answers 428, which the SDK throws as RequestError; resume with the sandbox token.
  const mfa = await expectError(client.links.register('erebor_mx_retail', 'mfa_numeric', 'numeric_code'));
  out.mfa_status = mfa.statusCode;
  const challenge = mfa.detail[0];
  out.mfa_resumed = await client.links.resume(challenge.session, '111111', challenge.link);

  out.accounts_retrieved = (await client.accounts.retrieve(link.id)).map((a) => a.id);
  out.accounts_listed = (await client.accounts.list({ filters: { link: link.id } })).map((a) => a.id);
  out.transactions_retrieved = (await client.transactions.retrieve(link.id, '2000-01-01')).length;
  out.transaction_ids = (await client.transactions.list({ limit: 100000, filters: { link: link.id } })).map((t) => t.id);
  out.owners = (await client.owners.retrieve(link.id)).map((o) => o.id);
  out.widget_token = await client.widgetToken.create();
  out.deleted = await client.links.delete(link.id);

  // Every other resource the SDK has: retrieve for a link of the right institution, then list, detail, delete.
  const linkOf = async (institution) => (await client.links.register(institution, 'bnk100', 'full')).id;
  const walk = async (resource, created, linkId) => {
    const items = Array.isArray(created) ? created : [created];
    const listed = (await resource.list({ filters: { link: linkId } })).map((i) => i.id);
    const detail = await resource.detail(items[0].id);
    await resource.delete(items[0].id);
    const after = (await resource.list({ filters: { link: linkId } })).map((i) => i.id);
    return { created: items.map((i) => i.id), listed, detail: (Array.isArray(detail) ? detail[0] : detail).id, after };
  };
  const bank = await linkOf('erebor_mx_retail');
  const fiscal = await linkOf('tatooine_mx_fiscal');
  const employment = await linkOf('planet_mx_retail');
  out.resources = {
    incomes: await walk(client.incomes, await client.incomes.retrieve(bank), bank),
    recurringExpenses: await walk(client.recurringExpense, await client.recurringExpense.retrieve(bank), bank),
    riskInsights: await walk(client.riskInsights, await client.riskInsights.retrieve(bank), bank),
    invoices: await walk(client.invoices, await client.invoices.retrieve(fiscal, '2024-01-01', '2024-03-31', 'INFLOW'), fiscal),
    taxComplianceStatus: await walk(client.taxComplianceStatus, await client.taxComplianceStatus.retrieve(fiscal), fiscal),
    taxRetentions: await walk(client.taxRetentions, await client.taxRetentions.retrieve(fiscal, '2024-01-01', '2024-03-31', 'INFLOW'), fiscal),
    taxReturns: await walk(client.taxReturns, await client.taxReturns.retrieve(fiscal, '2022', '2023'), fiscal),
    taxStatus: await walk(client.taxStatus, await client.taxStatus.retrieve(fiscal), fiscal),
    employmentRecords: await walk(client.employmentRecords, await client.employmentRecords.retrieve(employment), employment),
  };
  out.balances = (await client.balances.retrieve(bank, '2000-01-01')).length;
  // Endpoints the SDK still has but the spec no longer lists: Belvo's 404, thrown as a RequestError.
  out.retired = [
    await expectError(client.statements.retrieve(bank, 'acc', '2024', '01')),
    await expectError(client.taxDeclarations.retrieve(fiscal, '2022', '2023')),
    await expectError(client.investmentsPortfolios.retrieve(bank)),
  ].map((e) => [e.statusCode, e.detail[0].code]);

  // Wrong keys: login itself only reports false, so call a resource with bad auth to see the body.
  const bad = new Belvo(secretId, 'wrong-password', url);
  out.wrong_keys_login = await bad.session.login(secretId, 'wrong-password');
  bad.session.session.defaults.auth = { username: secretId, password: 'wrong-password' };
  out.wrong_keys_error = await expectError(new Institutions(bad.session).list());
  // The SDK itself console.logs a failed login, so the result goes on its own marked line.
  process.stdout.write(`\n@@RESULT@@${JSON.stringify(out)}\n`);
}

main().catch((err) => {
  process.stderr.write(`${err.stack || err}\n${JSON.stringify(err.detail || null)}\n`);
  process.exit(1);
});
