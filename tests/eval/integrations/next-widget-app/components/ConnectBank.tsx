import { useCallback, useEffect } from 'react';

declare global {
  interface Window { belvoSDK: any }
}

export default function ConnectBank({ userId }: { userId: string }) {
  useEffect(() => {
    const script = document.createElement('script');
    script.src = 'https://cdn.belvo.io/belvo-widget-1-stable.js';
    script.async = true;
    document.body.appendChild(script);
    return () => { document.body.removeChild(script); };
  }, []);

  const open = useCallback(async () => {
    const res = await fetch('/api/widget-token', { method: 'POST', headers: { 'x-user-id': userId } });
    const { access } = await res.json();
    window.belvoSDK.createWidget(access, {
      external_id: userId,
      locale: 'es',
      country_codes: ['MX'],
      callback: (link: string, institution: string, metadata: any) =>
        fetch('/api/links', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'x-user-id': userId },
          body: JSON.stringify({ link, institution, institutionUserId: metadata?.institution_user_id }),
        }),
      onExit: () => console.info('widget closed'),
      onEvent: (e: any) => console.debug('widget event', e.eventName),
    }).build();
  }, [userId]);

  return <button onClick={open}>Connect your bank</button>;
}
