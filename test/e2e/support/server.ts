/**
 * The server under test. Until the real API lands this starts the fixture stand-in; see fixture-server.ts.
 * @module
 */
import { startFixtureServer } from './fixture-server.ts';

export interface RunningServer {
  url: string;
  token?: string;
  close(): Promise<void>;
}

export async function startServer(): Promise<RunningServer> {
  return await startFixtureServer();
}
