import Belvo from 'belvo';

export async function belvoClient() {
  const client = new Belvo(
    process.env.BELVO_SECRET_ID,
    process.env.BELVO_SECRET_PASSWORD,
    process.env.BELVO_ENV || 'https://api.belvo.com',
  );
  await client.connect();
  return client;
}
