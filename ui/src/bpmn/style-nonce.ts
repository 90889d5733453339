/**
 * The page's Content-Security-Policy allows one kind of inline style element: those carrying
 * the page's nonce (api/ui/serve-ui.ts). CodeMirror, inside the properties panel and the form
 * editor, writes its styles into one <style> element per document (style-mod); mounting that
 * element first, with the nonce, makes every later CodeMirror editor use it.
 */
import { StyleModule } from 'style-mod';

export function allowEditorStyles(): void {
  const nonce = document.querySelector('meta[name="chis-style-nonce"]')?.getAttribute('content');
  // The Vite dev server leaves the placeholder (it sends no CSP).
  if (nonce && !nonce.startsWith('%')) StyleModule.mount(document, [], { nonce });
}
