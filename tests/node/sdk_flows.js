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
