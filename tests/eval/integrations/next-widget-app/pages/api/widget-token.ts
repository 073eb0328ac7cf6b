import type { NextApiRequest, NextApiResponse } from 'next';
import { widgetToken } from '../../lib/belvo';

export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  if (req.method !== 'POST') return res.status(405).end();
  const userId = req.headers['x-user-id'];
  if (typeof userId !== 'string') return res.status(401).end();
  try {
    res.json({ access: await widgetToken(userId) });
  } catch {
    res.status(502).json({ error: 'token unavailable' });
  }
}
