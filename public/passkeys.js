// Runs the browser side of WebAuthn for forms marked data-webauthn="register" or "authenticate":
// fetch fresh options from the server, ask the authenticator, post its answer with the form.
// Uses @simplewebauthn/browser (served beside this file as a global, SimpleWebAuthnBrowser).
for (const form of document.querySelectorAll('form[data-webauthn]')) {
  const status = form.querySelector('[data-webauthn-status]');
  if (!window.PublicKeyCredential) {
    form.hidden = true;
    continue;
  }
  form.addEventListener('submit', async (event) => {
    if (form.dataset.ready === 'yes') return;
    event.preventDefault();
    if (status) status.textContent = '';
    try {
      const answer = await fetch(form.dataset.optionsUrl, {
        method: 'POST',
        body: new URLSearchParams({ csrf: form.elements.namedItem('csrf').value }),
        credentials: 'same-origin',
      });
      if (!answer.ok) throw new Error('the server refused to start (' + answer.status + ')');
      const optionsJSON = await answer.json();
      const result =
        form.dataset.webauthn === 'register'
          ? await SimpleWebAuthnBrowser.startRegistration({ optionsJSON })
          : await SimpleWebAuthnBrowser.startAuthentication({ optionsJSON });
      form.elements.namedItem('response').value = JSON.stringify(result);
      form.dataset.ready = 'yes';
      form.submit();
    } catch (error) {
      if (status)
        status.textContent =
          'Your browser did not finish: ' + (error && error.message ? error.message : error);
    }
  });
}
