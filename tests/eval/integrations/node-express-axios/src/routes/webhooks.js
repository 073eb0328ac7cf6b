const express = require('express');
const belvo = require('../services/belvo');
const db = require('../db');
const config = require('../config');

const router = express.Router();

router.post('/belvo', async (req, res) => {
  if (req.get('authorization') !== config.belvo.webhookAuth) {
    return res.sendStatus(401);
  }
  const { webhook_type: type, webhook_code: code, link_id: linkId } = req.body;
  res.sendStatus(202);

  try {
    if (type === 'TRANSACTIONS' && code === 'new_transactions_available') {
      const since = new Date(Date.now() - 7 * 864e5).toISOString().slice(0, 10);
      await db.saveTransactions(linkId, await belvo.listTransactions(linkId, since));
    } else if (type === 'LINK') {
      await db.setLinkStatus(linkId, code === 'token_required' ? 'token_required' : 'invalid');
    }
  } catch (err) {
    console.error(`webhook ${type}/${code} processing failed:`, err.message);
  }
});

module.exports = router;
