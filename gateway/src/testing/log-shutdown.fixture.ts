/**
 * A process that logs like the gateway (same destination, same shutdown hooks) for
 * pino-logger.service.spec: argv `<log file> <term|crash> <lines>`. It logs `<lines>`
 * lines, prints "ready", and then either waits for SIGTERM (one more line is logged by a
 * shutdown hook, as the gateway's own hooks log) or dies of an uncaught exception.
 */
import 'reflect-metadata';
import { Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { logDestination, PinoLoggerService, SHUTDOWN_HOOKS } from '../logging/pino-logger.service';

class LastWords implements OnApplicationShutdown {
  onApplicationShutdown(signal?: string): void {
    new Logger('Fixture').log(`shutting down on ${signal ?? 'close'}`);
  }
}

@Module({ providers: [LastWords] })
class FixtureModule {}

async function main(): Promise<void> {
  const [file, mode, lines] = process.argv.slice(2);
  const logger = new PinoLoggerService('info', logDestination(file));
  const app = await NestFactory.createApplicationContext(FixtureModule, { logger });
  app.enableShutdownHooks([], SHUTDOWN_HOOKS);
  const log = new Logger('Fixture');
  for (let i = 0; i < Number(lines); i++) log.log(`line ${i}`);
  if (mode === 'crash') {
    setImmediate(() => {
      throw new Error('fatal fixture error');
    });
    return;
  }
  process.stdout.write('ready\n');
  setInterval(() => undefined, 60_000);
}

void main();
