const express = require('express');
const belvo = require('../services/belvo');
const db = require('../db');

const router = express.Router();

router.post('/', async (req, res) => {
  const { institution, username, password } = req.body;
  try {
    const link = await belvo.createLink({ institution, username, password, externalId: req.user.id });
    await db.saveLink(link, req.user.id);
    res.status(201).json({ id: link.id });
  } catch (err) {
    console.error('link creation failed', err.message);
    res.status(502).json({ error: 'bank connection failed' });
  }
});

router.post('/:id/sync', async (req, res) => {
  const since = new Date(Date.now() - 30 * 864e5).toISOString().slice(0, 10);
  const link = await belvo.getLink(req.params.id);
  if (link.status === 'invalid' || link.status === 'token_required') {
    await db.setLinkStatus(link.id, link.status);
    return res.status(409).json({ reconnect: true });
  }
  const transactions = await belvo.listTransactions(link.id, since);
  await db.saveTransactions(link.id, transactions);
  res.json({ stored: transactions.length });
});

router.delete('/:id', async (req, res) => {
  try {
    await belvo.deleteLink(req.params.id);
    await db.setLinkStatus(req.params.id, 'deleted');
    res.status(204).end();
  } catch (err) {
    console.error('delete failed', err.message);
    res.status(502).end();
  }
});

module.exports = router;
