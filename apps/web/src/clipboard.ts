/**
 * Puts `text` on the clipboard: the asynchronous Clipboard API where the page may use it (a secure
 * context: https or localhost), else a hidden selected textarea and `execCommand('copy')`, which
 * older browsers and plain-http pages still allow inside a click. Resolves to whether it worked.
 */
export async function copyText(text: string): Promise<boolean> {
  if (window.isSecureContext && navigator.clipboard?.writeText) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      // Denied (permissions, no focus): the fallback below may still be allowed.
    }
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.top = '0';
  area.style.opacity = '0';
  document.body.append(area);
  area.select();
  let copied = false;
  try {
    copied = document.execCommand('copy');
  } catch {
    copied = false;
  }
  area.remove();
  return copied;
}
