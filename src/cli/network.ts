// The CLI's network: HTTPS_PROXY / HTTP_PROXY / NO_PROXY from the environment, as curl reads
// them. Node's own fetch ignores them; NODE_EXTRA_CA_CERTS is Node's and applies either way.
import { createNetwork, networkFromEnv, type Network } from '../servers';

export const NETWORK_ENV_HELP = 'proxy from $HTTPS_PROXY/$HTTP_PROXY except $NO_PROXY hosts; extra CAs from $NODE_EXTRA_CA_CERTS';

/** The proxy the environment names, or undefined (plain fetch) when it names none. */
export function cliNetwork(env: Readonly<Record<string, string | undefined>> = process.env): Network | undefined {
  const options = networkFromEnv(env);
  return options === undefined ? undefined : createNetwork(options);
}
