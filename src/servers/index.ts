// The transports' public surface: everything the adapter and the CLI use.
export { complete, detect, forgetServer, listModels, type CompleteOptions } from './client';
export type { Detection } from './detect';
export { formatReportMarkdown, formatReportText, runDoctor, type CheckStatus, type DoctorCheck, type DoctorOptions, type DoctorReport } from './doctor';
export { ServerError, displayUrl, isEndpointMissing, isModelMissing, type ServerErrorKind } from './errors';
export { AGENT_PROMPT_TOKENS } from './doctor';
export { GENERIC_GATEWAY, HOSTED_KINDS, HOSTED_PROVIDERS, hostedKindOfUrl, isHostedKind, type HostedKind, type HostedProvider, type ReasoningSendBack } from './routes/providers';
export { DEFAULT_REQUEST_LOG_SIZE, RequestLog, completionIds, exchangeSummary, recordExchange, transcriptText, type LoggedExchange } from './requestLog';
export type { ParserFactory, StreamParser } from './stream/parse';
export { createNetwork, networkFromEnv, splitNoProxy, type Network, type NetworkOptions } from './http/network';
export { REDACTED, redactSecrets, redactingLogger } from './http/redact';
export * from './types';
