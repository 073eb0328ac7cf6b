import type { NextApiRequest, NextApiResponse } from 'next';
import { timingSafeEqual } from 'crypto';
import { allTransactions } from '../../../lib/belvo';
import { prisma } from '../../../lib/db';

function authorized(header: string | undefined): boolean {
  const expected = Buffer.from(process.env.BELVO_WEBHOOK_SECRET ?? '');
  const given = Buffer.from(header ?? '');
  return expected.length > 0 && given.length === expected.length && timingSafeEqual(given, expected);
}

export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  if (req.method !== 'POST') return res.status(405).end();
  if (!authorized(req.headers.authorization)) return res.status(401).end();

  const { webhook_id, webhook_type, webhook_code, link_id } = req.body ?? {};
  const fresh = await prisma.webhookEvent
    .create({ data: { webhookId: webhook_id } })
    .then(() => true)
    .catch(() => false);
  res.status(200).json({ received: true });
  if (!fresh) return;

  if (webhook_type === 'LINK' && ['token_required', 'invalid_credentials'].includes(webhook_code)) {
    await prisma.link.update({ where: { belvoId: link_id }, data: { status: 'reauth' } });
  } else if (webhook_type === 'TRANSACTIONS') {
    for (const t of await allTransactions(link_id)) {
      await prisma.transaction.upsert({
        where: { belvoId: t.id },
        create: { belvoId: t.id, linkId: link_id, amount: t.amount, valueDate: t.value_date },
        update: {},
      });
    }
  }
}
