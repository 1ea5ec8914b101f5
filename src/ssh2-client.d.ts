// The parts of ssh2 we use, from the modules its index takes them from (ssh.ts says why).
// ssh2's Client class (ssh.ts).
declare module 'ssh2/lib/client.js' {
  import { Client } from 'ssh2'
  export = Client
}

// ssh2's key parser alone (inputs.ts), for the same reason.
declare module 'ssh2/lib/protocol/keyParser.js' {
  import { utils } from 'ssh2'
  export const parseKey: typeof utils.parseKey
}
