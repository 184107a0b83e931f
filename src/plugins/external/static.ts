// @fastify/static over public/ (the page-table viewer), used through reply.sendFile; the
// routes themselves are documented in openapi.yaml like every other (GET / and GET /ui/{file}).
import { resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

const PUBLIC_DIR = resolve(import.meta.dirname, '../../../public');

export default fp(
  async function ui(app: FastifyInstance) {
    // serve: false: no wildcard route of its own; only the documented routes send files.
    await app.register(fastifyStatic, { root: PUBLIC_DIR, serve: false });
  },
  { name: 'static' },
);
