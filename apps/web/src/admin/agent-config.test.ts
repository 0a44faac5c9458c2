import { beforeAll, describe, expect, it } from 'vitest';
import { AGENT_CHECK_COMMAND, AGENT_CONFIG_PATH, AGENT_KEY_FILE, agentConfigSnippet, keyFileCommands } from './agent-config.ts';

/** The parts of the agent's own configuration reader (apps/agent/src/agent/config.ts) this test uses. */
interface AgentConfigReader {
  stripJsonComments(text: string): string;
  parseConfig(
    raw: unknown,
    file: string,
  ): Promise<{ serverUrl: string; apiKey?: string; apiKeyFile?: string; licenseServers: { name: string; timeZone: string; sources: { kind: string; path?: string }[] }[] }>;
}

// The agent's reader is Node code and the web app's type-check has no Node types, so it is loaded at run
// time by a path the type-checker does not follow.
const AGENT_CONFIG_MODULE = '../../../agent/src/agent/config.ts';
let agent: AgentConfigReader;
beforeAll(async () => {
  agent = (await import(/* @vite-ignore */ AGENT_CONFIG_MODULE)) as AgentConfigReader;
});

const read = (text: string) => agent.parseConfig(JSON.parse(agent.stripJsonComments(text)), AGENT_CONFIG_PATH);

describe('the agent configuration shown with a new key', () => {
  it('is accepted by the agent’s own configuration reader, naming this server and the key file', async () => {
    const config = await read(agentConfigSnippet({ serverUrl: 'https://seatwise.example.com', keyName: 'Agent on flex1', timeZone: 'Europe/Madrid' }));
    expect(config.serverUrl).toBe('https://seatwise.example.com');
    expect(config.apiKeyFile).toBe(AGENT_KEY_FILE);
    expect(config.apiKey).toBeUndefined();
    expect(config.licenseServers).toHaveLength(1);
    expect(config.licenseServers[0]).toMatchObject({ name: '27000@flexlm1', timeZone: 'Europe/Madrid' });
    expect(config.licenseServers[0]!.sources).toEqual([expect.objectContaining({ kind: 'log', path: '/var/log/flexlm/lmgrd.log' })]);
  });

  it('stays valid whatever the key is called and wherever the server is', async () => {
    const awkward = 'Agent "flex1" // night shift\n*/ {"apiKey": "x"}';
    const config = await read(agentConfigSnippet({ serverUrl: 'http://localhost:8080/', keyName: awkward, timeZone: 'America/Los_Angeles' }));
    expect(config.serverUrl).toBe('http://localhost:8080');
    expect(config.apiKeyFile).toBe(AGENT_KEY_FILE);
    expect(config.apiKey).toBeUndefined();
    expect(config.licenseServers[0]!.timeZone).toBe('America/Los_Angeles');
  });

  it('the agent refuses it for a plain-HTTP server that is not this machine (so the page must be served over HTTPS)', async () => {
    await expect(read(agentConfigSnippet({ serverUrl: 'http://seatwise.example.com', keyName: 'k', timeZone: 'UTC' }))).rejects.toThrow(/https/);
  });

  it('keeps the key in a file only the agent’s user can read, the one the configuration names', () => {
    const key = 'swk_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcde';
    const commands = keyFileCommands(key);
    expect(commands).toBe(`(umask 077 && echo '${key}' > ${AGENT_KEY_FILE})\nchown seatwise-agent ${AGENT_KEY_FILE}`);
    // Whatever the text, it stays one literal argument.
    expect(keyFileCommands("it's")).toContain(`echo 'it'\\''s' >`);
    expect(AGENT_CHECK_COMMAND).toContain(`check --config ${AGENT_CONFIG_PATH}`);
  });
});
