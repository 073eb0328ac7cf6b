// Opens the Belvo Connect widget for the signed-in user.
const BELVO_URL = import.meta.env.VITE_BELVO_URL;

async function getAccessToken() {
  const res = await fetch(`${BELVO_URL}/api/token/`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      id: import.meta.env.VITE_BELVO_SECRET_ID,
      password: import.meta.env.VITE_BELVO_SECRET_PASSWORD,
      scopes: 'read_institutions,write_links',
    }),
  });
  const json = await res.json();
  return json.access;
}

export async function openWidget(user) {
  const token = await getAccessToken();
  window.belvoSDK
    .createWidget(token, {
      locale: 'es',
      country_codes: ['CO'],
      callback: (link, institution) => {
        localStorage.setItem('belvo_link', link);
        fetch('/api/links', { method: 'POST', body: JSON.stringify({ link, institution, user: user.email }) });
      },
    })
    .build();
}
