// Opens Belvo's Connect widget for the signed-in Acme user.
//
// No Belvo keys here: the browser asks Acme's own backend for a short-lived
// widget access token (the backend calls POST /api/token/ with the secret
// keys, see acme.actions.issue_widget_token). The user is already registered
// in Acme, so every new link is tied to a known external_id.
//
// Page needs: <div id="belvo"></div>
//             <script src="https://cdn.belvo.io/belvo-widget-1-stable.js" async></script>

async function openBelvoWidget() {
  const res = await fetch('/api/belvo/widget-token', { method: 'POST', credentials: 'same-origin' });
  if (!res.ok) {
    showMessage('We could not start the bank connection. Please try again.');
    return;
  }
  const { access, external_id: externalId } = await res.json();

  const config = {
    external_id: externalId,               // Acme's user id, no personal data
    access_mode: 'recurrent',
    locale: 'es',
    country_codes: ['MX'],
    institution_types: ['retail'],
    resources: ['ACCOUNTS', 'TRANSACTIONS'], // only banks that offer what Acme needs

    // Success: store the link id right away, then the backend waits for webhooks.
    callback: (linkId, institution) => {
      fetch('/api/belvo/links', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ link_id: linkId, institution }),
      });
      showMessage('Your bank is connected. We are fetching your data.');
    },

    // Exit: the user closed the widget, possibly after an error.
    onExit: (data) => {
      const error = data && data.last_encountered_error;
      if (error) {
        console.warn('belvo widget exit', error.code, error.message);
        showMessage('The connection was not completed. You can try again any time.');
      }
    },

    // Events: ERROR and WARNING carry Belvo's request_id for support tickets.
    onEvent: (data) => {
      const meta = (data && data.meta_data) || {};
      if (data.eventName === 'ERROR') {
        console.error('belvo widget error', meta.error_code, 'request_id', data.request_id);
      } else if (data.eventName === 'WARNING') {
        console.warn('belvo widget warning', meta.warning_code, 'request_id', data.request_id);
      }
      // other (newer) event names are ignored on purpose
    },
  };

  window.belvoSDK.createWidget(access, config).build();
}

function showMessage(text) {
  const el = document.getElementById('belvo-status');
  if (el) el.textContent = text;
}
