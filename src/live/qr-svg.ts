import qrcode from 'qrcode-generator';
import { escapeHtml } from './live-html';

/** A QR code of `text` as a standalone SVG (error correction M: still reads when printed small or smudged). */
export function qrSvg(text: string): string {
  const qr = qrcode(0, 'M');
  qr.addData(text);
  qr.make();
  const svg = qr.createSvgTag({ cellSize: 8, margin: 16, scalable: true });
  // The address as the image's title: screen readers say it, and a person can check it without a phone.
  return svg.replace(/^(<svg[^>]*>)/, `$1<title>${escapeHtml(text)}</title>`);
}
