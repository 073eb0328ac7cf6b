const { Pool } = require('pg');
const config = require('./config');

const pool = new Pool({ connectionString: config.databaseUrl });

async function saveLink(link, userId) {
  await pool.query(
    `INSERT INTO links (belvo_id, user_id, institution, status)
     VALUES ($1, $2, $3, $4)
     ON CONFLICT (belvo_id) DO UPDATE SET status = EXCLUDED.status`,
    [link.id, userId, link.institution, link.status],
  );
}

async function setLinkStatus(linkId, status) {
  await pool.query('UPDATE links SET status = $2 WHERE belvo_id = $1', [linkId, status]);
}

async function saveTransactions(linkId, transactions) {
  for (const t of transactions) {
    await pool.query(
      `INSERT INTO transactions (belvo_id, link_id, amount, description, value_date)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (belvo_id) DO NOTHING`,
      [t.id, linkId, t.amount, t.description, t.value_date],
    );
  }
}

module.exports = { pool, saveLink, setLinkStatus, saveTransactions };
