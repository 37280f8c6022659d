import { Argument, type Command, Option } from "../framework/command.ts";
import { describeTree } from "../tree.ts";

export function register(program: Command) {
  program.command("completion")
    .description("Print a shell completion script (bash, zsh or fish)")
    .addArgument(new Argument("<shell>", "bash | zsh | fish").choices(["bash", "zsh", "fish"]))
    .action(async (shell: string) => {
      const { bashCompletion, zshCompletion, fishCompletion } = await import("../completion.ts");
      const tree = describeTree(program);
      const script = shell === "bash"
        ? bashCompletion(tree)
        : shell === "zsh"
        ? zshCompletion(tree)
        : fishCompletion(tree);
      await Deno.stdout.write(new TextEncoder().encode(script));
    });
  program.command("docs")
    .description("Print the CLI reference generated from the command tree")
    .addOption(new Option("--format <format>", "output format").choices(["markdown"]).default("markdown"))
    .action(async () => {
      const { markdownDocs } = await import("../docs.ts");
      console.log(markdownDocs(describeTree(program)));
    });
}
