/**
 * The facefit command line: parse the arguments into one command, run it, exit with its code.
 *
 * @module
 */
import { parseCommand, UsageError } from "./src/cli/args.ts";
import { analyzeCommand } from "./src/cli/analyze_command.ts";
import { auditCommand } from "./src/cli/audit_command.ts";
import { clusterCommand } from "./src/cli/cluster_command.ts";
import { demoCommand } from "./src/cli/demo_command.ts";
import { evaluateCommand } from "./src/cli/evaluate_command.ts";
import { helpText } from "./src/cli/help.ts";
import { Interruption, MODEL_UNCHANGED } from "./src/cli/interrupt.ts";
import { Reporter, streamSink } from "./src/cli/output.ts";
import { predictCommand } from "./src/cli/predict_command.ts";
import { tagCommand } from "./src/cli/tag_command.ts";
import { trainCommand } from "./src/cli/train_command.ts";

function exists(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return false;
  }
}

/** An environment variable, or undefined when unset or not permitted. */
function env(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
}

/** Run the CLI on arguments; returns the exit code (0 ok, 1 failure, 2 usage error). */
export async function run(argv: readonly string[]): Promise<number> {
  const out = streamSink(Deno.stdout);
  const err = streamSink(Deno.stderr);
  let command;
  try {
    command = parseCommand(argv, exists, env);
  } catch (error) {
    if (error instanceof UsageError) {
      new Reporter(out, err).error(error.message);
      return 2;
    }
    throw error;
  }
  if (command.kind === "help") {
    out.write(helpText(command.command) + "\n");
    return 0;
  }
  const reporter = new Reporter(out, err, command);
  // Ctrl-C exits with 130 and says what became of the model (see src/cli/interrupt.ts).
  const interruption = new Interruption({
    message: command.kind === "train" || command.kind === "demo" ? MODEL_UNCHANGED : "interrupted",
    say: (message) => reporter.error(message),
  });
  interruption.install();
  try {
    switch (command.kind) {
      case "train":
        return await trainCommand(command, reporter, interruption);
      case "predict":
        return await predictCommand(command, reporter);
      case "evaluate":
        return await evaluateCommand(command, reporter);
      case "demo":
        return await demoCommand(command, reporter, interruption);
      case "audit":
        return await auditCommand(command, reporter);
      case "analyze":
        return await analyzeCommand(command, reporter);
      case "cluster":
        return await clusterCommand(command, reporter);
      case "tag":
        return await tagCommand(command, reporter, interruption);
      default: {
        const unreachable: never = command;
        throw new Error(`Unhandled command ${JSON.stringify(unreachable)}`);
      }
    }
  } catch (error) {
    reporter.error(error instanceof Error ? error.message : String(error));
    if (command.verbose && error instanceof Error && error.stack) reporter.info(error.stack);
    return 1;
  } finally {
    interruption.uninstall();
  }
}

if (import.meta.main) {
  // Exit explicitly, so that nothing a failed command left running (a worker thread) keeps us alive.
  Deno.exit(await run(Deno.args));
}
