// The log channel filtered by gptOss.logLevel, read at each line so a change applies at once.
import type { ChannelLogger } from './logger';
import { LOG_LEVELS, type LogLevel } from './settings/settings';

export function filteredByLevel(log: ChannelLogger, level: () => LogLevel): ChannelLogger {
  const shows = (line: LogLevel): boolean => LOG_LEVELS.indexOf(line) >= LOG_LEVELS.indexOf(level());
  return {
    trace: (m) => shows('trace') && log.trace(m),
    debug: (m) => shows('debug') && log.debug(m),
    info: (m) => shows('info') && log.info(m),
    warn: (m) => shows('warn') && log.warn(m),
    error: (m) => shows('error') && log.error(m),
  };
}
