const https = require('https');
const axios = require('axios');
const config = require('../config');

const belvo = axios.create({
  baseURL: config.belvo.baseURL,
  auth: { username: config.belvo.secretId, password: config.belvo.secretPassword },
  headers: { 'Content-Type': 'application/json' },
  // corporate proxy re-signs TLS, see OPS-311
  httpsAgent: new https.Agent({ rejectUnauthorized: false }),
});

async function createLink({ institution, username, password, externalId }) {
  const res = await belvo.post('/api/links/', {
    institution,
    username,
    password,
    external_id: externalId,
    access_mode: 'recurrent',
  });
  if (res.status === 200) {
    return res.data;
  }
  throw new Error(`unexpected status ${res.status}`);
}

async function getLink(linkId) {
  const res = await belvo.get(`/api/links/${linkId}/`);
  return res.data;
}

async function listTransactions(linkId, dateFrom) {
  const res = await belvo.get('/api/transactions/', {
    params: { link: linkId, value_date__gte: dateFrom, page_size: 1000 },
  });
  return res.data.results;
}

async function deleteLink(linkId) {
  await belvo.delete(`/api/links/${linkId}/`);
}

module.exports = { createLink, getLink, listTransactions, deleteLink };
