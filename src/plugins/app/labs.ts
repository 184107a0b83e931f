// Loads the lab catalogue at start-up (a malformed lab stops the server) and decorates the
// app with the services the lab, quiz and scenario routes use.
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { AssignmentRepository } from '../../db/assignment-repository.js';
import { LabRepository } from '../../db/lab-repository.js';
import { loadCatalogue, LABS_DIR } from '../../labs/catalogue.js';
import { Assignments } from '../../service/assignments.js';
import { LabService } from '../../service/lab-service.js';
import { LabSessions } from '../../service/lab-sessions.js';
import { ScenarioService } from '../../service/scenario-service.js';

declare module 'fastify' {
  interface FastifyInstance {
    labService: LabService;
    labSessions: LabSessions;
    assignments: Assignments;
    scenarioService: ScenarioService;
  }
}

export default fp(
  async function labs(
    app: FastifyInstance,
    options: { labsDir?: string; tokenNames?: ReadonlyMap<string, string>; studentTokenHashes?: readonly string[] },
  ) {
    const repo = new LabRepository(app.prisma);
    const labService = new LabService(loadCatalogue(options.labsDir ?? LABS_DIR), repo, app.liveVms);
    app.decorate('labService', labService);
    const labSessions = new LabSessions(labService, repo, app.liveVms, options.tokenNames ?? new Map(), options.studentTokenHashes);
    app.decorate('labSessions', labSessions);
    app.decorate('assignments', new Assignments(new AssignmentRepository(app.prisma), labService, labSessions));
    app.decorate('scenarioService', new ScenarioService(app.liveVms));
  },
  { name: 'labs', dependencies: ['persistence'] },
);
