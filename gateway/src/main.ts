import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ConfigError, loadConfig } from './config/app-config';
import { createGateway } from './bootstrap';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`callgate-gateway refuses to start: ${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const app = await createGateway(config);
  await app.listen(config.port, config.host);
  new Logger('Main').log(`Gateway listening on ${config.host}:${config.port}`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `callgate-gateway failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
