package io.jenet.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code jenet} command: {@code serve}, {@code bench}, {@code demo}, {@code client} and {@code relay}.
 *
 * <p>Exit status: 0 success, 1 a run that failed its checks, 2 bad arguments.
 */
@Command(name = "jenet", mixinStandardHelpOptions = true, version = "jenet 0.1.0",
        description = "ENet 1.3 for Java: servers, benchmarks and a demo.",
        subcommands = {ServeCommand.class, BenchCommand.class, DemoCommand.class, ClientCommand.class, RelayCommand.class})
public final class Main implements Runnable {
    /** Creates the top command. */
    public Main() {}

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    /**
     * Runs the command line and returns the exit status (for tests).
     *
     * @param args arguments
     * @return the exit status
     */
    public static int execute(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((e, cmd, parse) -> {
            if (e instanceof CliFailure) {
                cmd.getErr().println(e.getMessage());
                return ((CliFailure) e).status;
            }
            throw e;
        });
        return cl.execute(args);
    }

    /**
     * Entry point.
     *
     * @param args arguments
     */
    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** A failure with an exit status and a one-line message. */
    static final class CliFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int status;

        CliFailure(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }
}
