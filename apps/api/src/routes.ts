import type { Provider, Type } from '@nestjs/common';
import { AssignmentController } from './controllers/assignment.controller.js';
import { DashboardController } from './controllers/dashboard.controller.js';
import { DocsController } from './controllers/docs.controller.js';
import { HealthController } from './controllers/health.controller.js';
import { StorageController } from './controllers/storage.controller.js';
import { ValidationResultsController } from './controllers/validation-results.controller.js';
import { WebController } from './controllers/web.controller.js';
import { PublishedResultsRepository } from './repositories/published-results.repository.js';
import { ValidationReportRepository } from './repositories/validation-report.repository.js';
import { AssignmentService } from './services/assignment.service.js';
import { DashboardService } from './services/dashboard.service.js';
import { StatsService } from './services/stats.service.js';
import { StatusService } from './services/status.service.js';
import { StorageAccessService } from './services/storage-access.service.js';
import { SubmissionsService } from './services/submissions.service.js';
import { ValidationResultsService } from './services/validation-results.service.js';

/** Controllers and services of the protocol routes, registered by AppModule. */
export const API_CONTROLLERS: Type[] = [
  HealthController,
  AssignmentController,
  StorageController,
  DashboardController,
  ValidationResultsController,
  DocsController,
  WebController,
];
export const API_SERVICES: Provider[] = [
  AssignmentService,
  StatusService,
  StatsService,
  StorageAccessService,
  SubmissionsService,
  DashboardService,
  PublishedResultsRepository,
  ValidationResultsService,
  ValidationReportRepository,
];
