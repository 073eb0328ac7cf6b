const BASE_URL = process.env.BELVO_API_URL ?? 'https://sandbox.belvo.com';

function authHeader(): string {
  const raw = `${process.env.BELVO_SECRET_ID}:${process.env.BELVO_SECRET_PASSWORD}`;
  return 'Basic ' + Buffer.from(raw).toString('base64');
}

export class BelvoApiError extends Error {
  constructor(public status: number, public body: unknown) {
    super(`Belvo API error ${status}`);
  }
}

export async function belvoFetch<T>(path: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(`${BASE_URL}${path}`, {
    ...init,
    headers: { Authorization: authHeader(), 'Content-Type': 'application/json', ...(init.headers ?? {}) },
    signal: AbortSignal.timeout(15_000),
  });
  if (!res.ok) {
    const body = await res.json().catch(() => null);
    console.error('[belvo]', init.method ?? 'GET', path, res.status, JSON.stringify(body));
    throw new BelvoApiError(res.status, body);
  }
  return (await res.json()) as T;
}

export async function widgetToken(externalId: string): Promise<string> {
  const data = await belvoFetch<{ access: string }>('/api/token/', {
    method: 'POST',
    body: JSON.stringify({
      id: process.env.BELVO_SECRET_ID,
      password: process.env.BELVO_SECRET_PASSWORD,
      scopes: 'read_institutions,write_links,read_links',
      widget: { callback_urls: { success: '/connected', exit: '/', event: '/' } },
    }),
  });
  return data.access;
}

type Page<T> = { next: string | null; results: T[] };

export async function allTransactions(linkId: string) {
  const out: any[] = [];
  let path: string | null = `/api/transactions/?link=${linkId}&page_size=1000`;
  while (path) {
    const page: Page<any> = await belvoFetch(path);
    out.push(...page.results);
    path = page.next ? page.next.replace(BASE_URL, '') : null;
  }
  return out;
}
