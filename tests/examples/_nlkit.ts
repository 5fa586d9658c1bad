// Runs the nlkit CLI (examples/nlkit.ts) in the tests of its commands (not
// a test file): on a fresh simulated machine, each command's `simulate`
// seeding it, or on a backend the test keeps across runs.
import {
  type Backend,
  COMMANDS,
  parseArgs,
  run,
  simulatedBackend,
} from "../../examples/nlkit.ts";

/** What a run printed: the text `run` returns, and the lines it streamed. */
export interface NlkitOutput {
  /** The text `run` returns (a listing, a table). */
  text: string;
  /** The lines written as they came (streaming commands: monitors, events). */
  lines: string[];
}

/**
 * Runs `nlkit ...argv` and collects what it printed.
 *
 * @param argv The command line after `nlkit`.
 * @param options The backend (default: a fresh simulated machine) and a signal to stop a stream.
 */
export async function runNlkit(
  argv: string[],
  options: { backend?: Backend; signal?: AbortSignal } = {},
): Promise<NlkitOutput> {
  const lines: string[] = [];
  const text = await run(
    parseArgs(argv),
    options.backend ?? simulatedBackend("test", COMMANDS),
    (l) => lines.push(l),
    options.signal,
  );
  return { text, lines };
}

/** Runs `nlkit ...argv` on a fresh simulated machine; the text it returns. */
export async function nlkit(...argv: string[]): Promise<string> {
  return (await runNlkit(argv)).text;
}

/** A fresh simulated machine to run several commands on. */
export function simulatedMachine(): Backend {
  return simulatedBackend("test", COMMANDS);
}
