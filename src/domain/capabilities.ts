// Client capability check on job create/update (the original's check_client_capabilities, fixed).
// No state machine: each freezer_action either passes or the whole job is rejected with 422 at the
// first setting (action, mode, storage, engine) that the client did not declare. Unset settings
// pass, since the agent then uses its own default.
import { unprocessable } from '../errors';

export interface Capabilities {
  supported_actions: string[];
  supported_modes: string[];
  supported_storages: string[];
  supported_engines: string[];
}

export function checkCapabilities(clientId: string, capabilities: Capabilities, freezerActions: Record<string, unknown>[]): void {
  for (const fa of freezerActions) {
    if (typeof fa !== 'object' || fa === null) continue;
    const checks: [string, unknown, string[]][] = [
      ['action', fa.action, capabilities.supported_actions],
      ['mode', fa.mode, capabilities.supported_modes],
      ['storage', fa.storage, capabilities.supported_storages],
      // The original read `engine`, but the agent and scheduler use `engine_name`; prefer it.
      ['engine', fa.engine_name || fa.engine, capabilities.supported_engines],
    ];
    for (const [cap, value, supported] of checks) {
      if (typeof value === 'string' && value !== '' && !supported.includes(value)) {
        throw unprocessable(`Client ${clientId} does not support ${cap}: ${value}`);
      }
    }
  }
}
