import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { LeanIoAdapter } from './signaling/lean-io.adapter';
import { createRedisIoAdapter, type RedisIoAdapter } from './signaling/redis-io-adapter';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import cookieParser from 'cookie-parser';
import { REFRESH_COOKIE_NAME } from '@callgate/protocol';
import { AppModule } from './app.module';
import { HttpExceptionFilter } from './common/http-exception.filter';
import type { AppConfig } from './config/app-config';
import { PinoLoggerService, SHUTDOWN_HOOKS } from './logging/pino-logger.service';
import { requestLogger } from './logging/request-logger';
import { MetricsService } from './metrics/metrics.service';

/**
 * Builds a fully configured (not yet listening) gateway: used by `main.ts` and by the
 * integration tests, so both run exactly the same app.
 */
export async function createGateway(
  config: AppConfig,
  logger: PinoLoggerService = new PinoLoggerService(config.logLevel),
): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    logger,
    bodyParser: true,
  });
  configureGateway(app, config, logger);
  return app;
}

/**
 * Everything `createGateway` does to an application after creating it: body limits,
 * prefix, filters, the socket adapter, OpenAPI. Separate so the wiring test can apply it
 * to an app whose database provider is replaced (`Test.createTestingModule`).
 */
export function configureGateway(
  app: NestExpressApplication,
  config: AppConfig,
  logger: PinoLoggerService,
  /** `null`: rooms stay in this process (the Docker-free wiring test has no Redis). */
  cluster: RedisIoAdapter | null = createRedisIoAdapter(config),
): void {
  app.useBodyParser('json', { limit: '16kb' });
  app.set('trust proxy', config.trustProxy);
  app.disable('x-powered-by');
  app.use(requestLogger(logger.pino));
  app.use(cookieParser());
  app.setGlobalPrefix('api', { exclude: ['metrics'] });
  app.useGlobalFilters(new HttpExceptionFilter(app.get(MetricsService)));
  app.useWebSocketAdapter(new LeanIoAdapter(app, cluster ?? undefined));
  app.enableShutdownHooks([], SHUTDOWN_HOOKS);

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Callgate gateway')
      .setDescription(
        'Accounts, sessions, TURN credentials and call history. Signaling runs over socket.io ' +
          '(path /socket.io, namespace /signaling); its events are typed in @callgate/protocol.',
      )
      .setVersion(config.version)
      .addBearerAuth()
      .addCookieAuth(REFRESH_COOKIE_NAME)
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs/json' });
}
