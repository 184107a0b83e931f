// Loads the lab catalogue at start-up (a malformed lab stops the server) and decorates the
// app with the services the lab, quiz and scenario routes use.
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { LabRepository } from '../../db/lab-repository.js';
import { loadCatalogue, LABS_DIR } from '../../labs/catalogue.js';
import { LabService } from '../../service/lab-service.js';
import { LabSessions } from '../../service/lab-sessions.js';
import { ScenarioService } from '../../service/scenario-service.js';

declare module 'fastify' {
  interface FastifyInstance {
    labService: LabService;
    labSessions: LabSessions;
    scenarioService: ScenarioService;
  }
}

export default fp(
  async function labs(app: FastifyInstance, options: { labsDir?: string; tokenNames?: ReadonlyMap<string, string> }) {
    const repo = new LabRepository(app.prisma);
    const labService = new LabService(loadCatalogue(options.labsDir ?? LABS_DIR), repo, app.vmStore);
    app.decorate('labService', labService);
    app.decorate('labSessions', new LabSessions(labService, repo, app.vmStore, options.tokenNames ?? new Map()));
    app.decorate('scenarioService', new ScenarioService(app.vmStore));
  },
  { name: 'labs', dependencies: ['persistence'] },
);
