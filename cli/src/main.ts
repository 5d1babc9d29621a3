/** The `tributary` command line. */
import { Command, CommanderError, Option } from "commander";
import { conformanceCommand } from "./commands/conformance.ts";
import { explainCommand } from "./commands/explain.ts";
import { RUNNERS, runCommand } from "./commands/run.ts";
import { validateCommand } from "./commands/validate.ts";
import { exitCodeOf, messageOf } from "./errors.ts";

const collect = (value: string, previous: string[]) => [...previous, value];

export function buildProgram(): Command {
  const program = new Command("tributary")
    .description("Run, explain and validate Tributary streaming pipelines")
    .exitOverride()
    .showHelpAfterError(false);

  program
    .command("run")
    .description("run a pipeline file on a runner")
    .argument("<file>", "pipeline file (.ts) that exports a pipeline")
    .addOption(new Option("--runner <name>", "runner to use (default embedded)").choices(RUNNERS))
    .option(
      "--source <name=uri>",
      "bind a source, e.g. transactions=file:data/tx.jsonl (repeatable)",
      collect,
      [],
    )
    .option(
      "--sink <name=uri>",
      "bind a sink, e.g. alerts=console: or alerts=file:out/alerts (repeatable)",
      collect,
      [],
    )
    .option("--state <spec>", "state backend: memory or level:DIR")
    .option("--checkpoint-dir <dir>", "where the memory backend writes checkpoints")
    .option("--checkpoint-interval <duration>", "time between checkpoints, e.g. 10s")
    .option("--config <file>", "config file (default: tributary.config.json beside the pipeline)")
    .option("--batch-size <n>", "records read from a partition at a time")
    .option(
      "--trigger <trigger>",
      "micro-batch runner: once | available-now | processing-time:DURATION (e.g. processing-time:5s)",
    )
    .option("--max-rows-per-batch <n>", "micro-batch runner: at most this many source rows per batch")
    .option("--no-progress", "do not show the progress line")
    .action(runCommand);

  program
    .command("explain")
    .description(
      "print a pipeline's IR (json) or its graph (mermaid, dot); with --runner microbatch, each node vectorized or row-wise",
    )
    .argument("<file>", "pipeline file (.ts)")
    .option("--format <format>", "json | mermaid | dot (default json); with --vectorization: text | json")
    .addOption(
      new Option("--runner <name>", "microbatch: report how the micro-batch runner runs each node").choices(
        RUNNERS,
      ),
    )
    .option("--vectorization", "report each node as vectorized or row-wise, with the reason")
    .action(explainCommand);

  program
    .command("validate")
    .description("validate an IR JSON document")
    .argument("<ir.json>", "IR file")
    .action(validateCommand);

  program
    .command("conformance")
    .description(
      "check runners against the reference model (the conformance suite), or --pipeline FILE on your sample input",
    )
    .option(
      "--runners <list>",
      "comma-separated runners: embedded (every configuration), embedded-rr1, embedded-b7, embedded-b1000, embedded-cp3, embedded-plan, microbatch (batch 1, 7, 1000, 65536), microbatch-b1, microbatch-b7, microbatch-b1000, microbatch-b65536, microbatch-plan, all",
      "embedded",
    )
    .option(
      "--runs <n>",
      "cases per property (default 200); with --pipeline, input perturbations per runner (default 100)",
    )
    .option("--seed <n>", "seed of the generated cases (default: random; printed in the table)")
    .option("--pipeline <file>", "check your pipeline file (.ts) instead of generated ones")
    .option(
      "--source <name=uri>",
      "with --pipeline: the sample input of a source, e.g. events=file:sample.jsonl (repeatable)",
      collect,
      [],
    )
    .action(conformanceCommand);
  return program;
}

async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander already printed its message (or the help text).
      process.exitCode = error.exitCode === 0 ? 0 : 2;
      return;
    }
    process.stderr.write(`tributary: ${messageOf(error)}\n`);
    process.exitCode = exitCodeOf(error);
  }
}

await main(process.argv);
