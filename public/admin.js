// Copy buttons in the admin UI: <button data-copy="element-id"> copies that field's value.
for (const button of document.querySelectorAll('button[data-copy]')) {
  button.addEventListener('click', async () => {
    const field = document.getElementById(button.dataset.copy);
    if (!field) return;
    try {
      await navigator.clipboard.writeText(field.value ?? field.textContent);
      button.textContent = 'Copied';
    } catch {
      field.select?.();
    }
  });
}

// URI lists: one blank row comes from the server; "Add another" clones it for more.
for (const fieldset of document.querySelectorAll('fieldset[data-uri-rows]')) {
  if (fieldset.disabled || fieldset.closest('fieldset[disabled]')) continue;
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'secondary outline add-row';
  button.textContent = 'Add another';
  button.addEventListener('click', () => {
    const rows = fieldset.querySelectorAll('.uri-row');
    const last = rows[rows.length - 1];
    const copy = last.cloneNode(true);
    const number = rows.length + 1;
    for (const field of copy.querySelectorAll('input, select')) {
      field.setAttribute('aria-label', field.getAttribute('aria-label').replace(/\d+$/, String(number)));
      field.removeAttribute('aria-invalid');
      if (field.tagName === 'INPUT') field.value = '';
      else field.selectedIndex = 0;
    }
    last.after(copy);
    copy.querySelector('input').focus();
  });
  fieldset.querySelector('.uri-row:last-of-type')?.after(button);
}

// A form sent once is not sent again by a second click while the answer is on its way (the
// server refuses a repeated form anyway; this spares the administrator its "Already submitted").
for (const form of document.querySelectorAll('form[method="post"]')) {
  form.addEventListener('submit', (event) => {
    if (form.dataset.sent === 'yes') event.preventDefault();
    else form.dataset.sent = 'yes';
  });
}
