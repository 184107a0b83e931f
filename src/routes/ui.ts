// The page-table viewer: static files from public/ (plugins/external/static.ts sets @fastify/static up).
import type { Handlers } from './handler.js';

export const uiHandlers = {
  getUi: async (_request, reply) => reply.type('text/html; charset=utf-8').sendFile('index.html'),

  getUiFile: async (request, reply) => reply.sendFile(request.params.file),
} satisfies Partial<Handlers>;
