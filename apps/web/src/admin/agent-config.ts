/**
 * What a person pastes on the license server after creating a key for the on-prem agent: commands that keep
 * the key in a file only the agent can read, and the configuration that names this server and that file.
 * Paths and commands are those of the README's agent section and of `seatwise-agent init`.
 */

export const AGENT_CONFIG_PATH = '/etc/seatwise-agent/agent.jsonc';
export const AGENT_KEY_FILE = '/etc/seatwise-agent/api-key';
export const AGENT_PROGRAM = '/opt/seatwise-agent/seatwise-agent.mjs';
/** Validates the configuration, confirms the key with the server and tries each source once. */
export const AGENT_CHECK_COMMAND = `sudo -u seatwise-agent node ${AGENT_PROGRAM} check --config ${AGENT_CONFIG_PATH}`;

/** The shell's single-quoted form of a value (a key is plain base64url; quoting keeps any text literal). */
function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/**
 * Commands (run as root on the license server) that write the key to a file readable only by the agent's
 * user, as the README recommends, instead of writing it into the configuration itself.
 */
export function keyFileCommands(key: string): string {
  return [`(umask 077 && echo ${shellQuote(key)} > ${AGENT_KEY_FILE})`, `chown seatwise-agent ${AGENT_KEY_FILE}`].join('\n');
}

export interface AgentConfigInput {
  /** This Seatwise server, as the browser reaches it (window.location.origin). */
  serverUrl: string;
  /** The new key's name, to say in a comment which key the file holds. */
  keyName: string;
  /** A first guess at the license server's zone (the viewer's); the comment asks to check it. */
  timeZone: string;
}

/**
 * A minimal agent configuration (JSON with comments, as the agent reads it) connecting one license server
 * to this Seatwise with the key file above. Values are written with JSON.stringify, so any key name or URL
 * stays a valid string.
 */
export function agentConfigSnippet(input: AgentConfigInput): string {
  const json = (value: string) => JSON.stringify(value);
  return `// ${AGENT_CONFIG_PATH}  (seatwise-agent init writes a longer example that explains every field)
{
  // This Seatwise server.
  "serverUrl": ${json(input.serverUrl.replace(/\/+$/, ''))},

  // The file holding the API key ${json(input.keyName)} (written by the commands above).
  "apiKeyFile": ${json(AGENT_KEY_FILE)},

  "licenseServers": [
    {
      // The license server's name in Seatwise, and the time zone of its clock: change both to fit.
      "name": "27000@flexlm1",
      "timeZone": ${json(input.timeZone)},
      // Follow the daemon's debug log. To poll lmstat as well, add a "statusCommand" (see the README).
      "logs": [{ "path": "/var/log/flexlm/lmgrd.log", "format": "flexlm-debug" }]
    }
  ]
}
`;
}
