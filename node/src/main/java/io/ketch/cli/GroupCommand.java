package io.ketch.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** A command that only groups subcommands ("lease", "member"): run alone, it asks for one. */
@Command
abstract class GroupCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(
        spec.commandLine(),
        spec.qualifiedName()
            + " needs a subcommand: "
            + String.join(", ", spec.subcommands().keySet()));
  }
}
