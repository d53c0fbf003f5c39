package org.commvq.cli;

import picocli.CommandLine.Option;

/** --debug: print the stack trace after the one-line error (read by {@link Main} before parsing). */
public final class DebugOption {
    @Option(names = "--debug", hidden = true, description = "print stack traces of errors")
    boolean debug;
}
