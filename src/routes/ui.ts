// The page-table viewer: static files from public/ (plugins/ui.ts sets @fastify/static up).
import type { Handler } from './parse.js';

export const uiHandlers: Record<string, Handler> = {
  getUi: async (_request, reply) => reply.type('text/html; charset=utf-8').sendFile('index.html'),

  getUiFile: async (request, reply) => reply.sendFile((request.params as { file: string }).file),
};
