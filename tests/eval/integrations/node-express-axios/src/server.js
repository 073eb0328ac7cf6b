const express = require('express');
const config = require('./config');
const links = require('./routes/links');
const webhooks = require('./routes/webhooks');

const app = express();
app.use(express.json());

app.use((req, _res, next) => {
  req.user = { id: req.get('x-user-id') };
  next();
});

app.use('/links', links);
app.use('/webhooks', webhooks);

app.listen(config.port, () => console.log(`cashflow-api listening on ${config.port}`));
