import type { NextApiRequest, NextApiResponse } from 'next';
import { prisma } from '../../lib/db';

// Called by the front end from the widget's success callback.
export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  if (req.method !== 'POST') return res.status(405).end();
  const { link, institution, institutionUserId } = req.body ?? {};
  const userId = req.headers['x-user-id'] as string;
  await prisma.link.upsert({
    where: { belvoId: link },
    create: { belvoId: link, institution, institutionUserId, userId, status: 'valid' },
    update: { status: 'valid' },
  });
  res.status(201).json({ ok: true });
}
