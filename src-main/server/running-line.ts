/** The one line `npm run web` (and the demo in browser mode) prints on stdout. */
export const runningLine = (url: string) => `Study Downloader is running at ${url}`;
