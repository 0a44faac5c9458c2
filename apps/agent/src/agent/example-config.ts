/** The commented configuration that `seatwise-agent init` writes. It must stay valid as written. */
export const EXAMPLE_CONFIG = `// seatwise-agent configuration (JSON with comments; trailing commas are fine).
// Check it with:  seatwise-agent check --config <this file>
{
  // The Seatwise server. Must be https:// — plain http:// is accepted only for localhost, 127.0.0.1 and
  // [::1], for trying things out on one machine.
  "serverUrl": "https://seatwise.example.com",

  // An API key with the "ingest" scope (Seatwise → Settings → API keys). Put it in a file that only the
  // agent's user can read (chmod 600) and name the file here; or write it inline as "apiKey": "swk_…".
  "apiKeyFile": "/etc/seatwise-agent/api-key",

  // Where the agent keeps batches waiting to be sent (the spool), the read position of every log and its
  // own status. Nothing else is written anywhere.
  "stateDir": "/var/lib/seatwise-agent",

  // How often followed logs are checked for new lines, in seconds.
  "followIntervalSeconds": 5,

  // When the server cannot be reached, batches wait in the spool and are sent later, oldest first, with a
  // backoff that doubles from minSeconds to maxSeconds. Above maxSpoolMegabytes of waiting data the logs
  // are not read further until the spool drains (their positions are kept: nothing is lost).
  "retry": { "minSeconds": 2, "maxSeconds": 300 },
  "maxSpoolMegabytes": 1024,

  // The license servers on this machine. The agent reads exactly what is listed here and nothing else:
  // the status command it is given (run as written, without a shell) and the log files named.
  "licenseServers": [
    {
      // The license server's name in Seatwise (created on first sight, matched by name afterwards).
      "name": "27000@flexlm1",
      "host": "flexlm1",
      "port": 27000,
      // The time zone of the license server's clock: logs carry local wall-clock times.
      "timeZone": "Europe/Madrid",

      // Poll a status command. "format": lmstat (FlexNet lmutil lmstat -a), rlmstat or lmx.
      // "argv" is the program and its arguments, one per entry: no shell, no $VARIABLES, no wildcards.
      // Snapshots give seats issued and in use at each poll; the holders they list also become sessions
      // (to the nearest poll) unless this license server has logs below ("sessions": true to force).
      "statusCommand": {
        "format": "lmstat",
        "argv": ["/opt/flexlm/bin/lmutil", "lmstat", "-a", "-c", "27000@flexlm1"],
        "intervalSeconds": 300,
        "timeoutSeconds": 60
      },

      // And/or follow debug logs ("format": flexlm-debug). Check-outs, check-ins and denials come with
      // their exact times. "rotatedPaths" names where logrotate moves the file (uncompressed), so lines
      // written just before a rotation while the agent was stopped are still read. "startAt": "end" skips
      // the history already in the file the first time.
      "logs": [
        {
          "path": "/var/log/flexlm/lmgrd.log",
          "format": "flexlm-debug",
          "rotatedPaths": ["/var/log/flexlm/lmgrd.log.1"],
          "startAt": "beginning"
        }
      ]
    }
  ]
}
`;
