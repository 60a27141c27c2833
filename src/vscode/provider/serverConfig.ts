// A configured server and the settings → the transport's configuration for one request.
import type { ServerLogger, ServerConfig } from '../../servers';
import type { ServerSettings, Settings } from '../settings/settings';

export function serverConfig(server: ServerSettings, settings: Settings, logger: ServerLogger, model?: string): ServerConfig {
  return {
    url: server.url,
    apiKey: server.apiKey,
    ...(server.headers ? { headers: server.headers } : {}),
    ...(server.secrets ? { secrets: server.secrets } : {}),
    kind: server.kind,
    endpoint: settings.endpoint,
    model,
    idleTimeoutMs: settings.requestTimeoutSeconds * 1000,
    ...(settings.requestDeadlineSeconds > 0 ? { deadlineMs: settings.requestDeadlineSeconds * 1000 } : {}),
    extraBody: settings.extraBody,
    logger,
  };
}
