// Which URLs are the API (/v1...): the ones tokens and rate limits apply to; health,
// readiness, the document and the viewer stay open.
export const isApiPath = (url: string): boolean => url === '/v1' || url.startsWith('/v1/') || url.startsWith('/v1?');
