module.exports = {
  port: Number(process.env.PORT || 3000),
  belvo: {
    baseURL: process.env.BELVO_URL || 'https://api.belvo.com',
    secretId: process.env.BELVO_SECRET_ID,
    secretPassword: process.env.BELVO_SECRET_PASSWORD,
    webhookAuth: process.env.BELVO_WEBHOOK_AUTH,
  },
  databaseUrl: process.env.DATABASE_URL,
};
