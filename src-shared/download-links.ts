// Browser mode: the "Download ZIP" link points at /download/<jobId>, which the server serves
// only with a one-time ticket (there is no cookie). A click on such a link is routed here: ask
// the server for a ticket over the authenticated WebSocket, then start the download of
// /download/<jobId>?ticket=…; a failure becomes a notice. Minimal DOM shapes keep this file
// type-checkable without the DOM library.
import { toApiError } from './api-client';
import type { WsTransport } from './ws-client';
import { downloadPathFor, downloadPathWithTicket, TICKET_PARAM } from './ws-protocol';

interface AnchorLike {
  href: string;
  setAttribute(name: string, value: string): void;
  click(): void;
  remove(): void;
}
interface ClickLike {
  defaultPrevented: boolean;
  button: number;
  target: { closest?(selector: string): AnchorLike | null } | null;
  preventDefault(): void;
}
export interface DocumentLike {
  addEventListener(type: 'click', listener: (e: ClickLike) => void): void;
  removeEventListener(type: 'click', listener: (e: ClickLike) => void): void;
  createElement(tag: 'a'): AnchorLike;
  body: { appendChild(node: AnchorLike): unknown };
}

const DOWNLOAD_PREFIX = downloadPathFor('');

/** The job id a same-origin, ticketless download link names, or null for any other link. */
export function downloadJobIdOf(href: string, origin: string): string | null {
  let url: URL;
  try {
    url = new URL(href, origin);
  } catch {
    return null;
  }
  if (url.origin !== origin || !url.pathname.startsWith(DOWNLOAD_PREFIX) || url.searchParams.has(TICKET_PARAM)) return null;
  try {
    const id = decodeURIComponent(url.pathname.slice(DOWNLOAD_PREFIX.length));
    return id || null;
  } catch {
    return null;
  }
}

/** Routes clicks on download links through a ticket; returns a function that stops it. */
export function routeDownloadLinks(doc: DocumentLike, origin: string, transport: Pick<WsTransport, 'downloadTicket' | 'localNotice'>): () => void {
  const onClick = (e: ClickLike) => {
    if (e.defaultPrevented || e.button !== 0) return;
    const anchor = e.target?.closest?.('a[href]');
    const jobId = anchor ? downloadJobIdOf(anchor.href, origin) : null;
    if (!jobId) return;
    e.preventDefault();
    transport.downloadTicket(jobId).then(
      (ticket) => {
        const link = doc.createElement('a');
        link.href = downloadPathWithTicket(jobId, ticket);
        link.setAttribute('download', ''); // the server's Content-Disposition names the file
        doc.body.appendChild(link);
        link.click();
        link.remove();
      },
      (err) => {
        const info = toApiError(err);
        transport.localNotice({ level: 'error', message: `The download could not start: ${info.message}`, fix: info.fix ?? 'Try again.' });
      },
    );
  };
  doc.addEventListener('click', onClick);
  return () => doc.removeEventListener('click', onClick);
}
