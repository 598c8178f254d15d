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
