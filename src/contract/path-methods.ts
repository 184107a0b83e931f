// Which methods openapi.yaml documents for a request path, so a documented path called
// with another method answers 405 with `Allow` rather than a 404 that says it is not there.
import type { OpenApiDocument } from './openapi-document.js';

/** The methods a request path takes (empty: no documented path matches it). */
export type MethodsOf = (path: string) => string[];

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/** A path segment as the router compares it: percent-decoded (left as sent if malformed). */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export function documentedMethods(document: OpenApiDocument): MethodsOf {
  const templates = Object.entries(document.paths).map(([path, item]) => ({
    segments: path.split('/').map((s) => (/^\{\w+\}$/.test(s) ? undefined : s)), // undefined: a parameter, any non-empty segment
    methods: METHODS.filter((m) => item[m] !== undefined).map((m) => m.toUpperCase()),
  }));
  return (path) => {
    const segments = path.split('/');
    const methods = new Set<string>();
    for (const template of templates) {
      const matches =
        template.segments.length === segments.length &&
        template.segments.every((s, i) => (s === undefined ? segments[i] !== '' : s === decodeSegment(segments[i]!)));
      if (matches) for (const method of template.methods) methods.add(method);
    }
    // Fastify answers HEAD on every GET route.
    if (methods.has('GET')) methods.add('HEAD');
    return [...methods];
  };
}
