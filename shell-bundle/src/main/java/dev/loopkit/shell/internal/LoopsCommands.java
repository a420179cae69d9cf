package dev.loopkit.shell.internal;

import dev.loopkit.platform.ChoiceStore;
import dev.loopkit.shell.LoopCommands;
import dev.loopkit.shell.PlatformStop;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Arrays;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;

/** Gogo commands {@code loop:loops} and {@code loop:run}, registered by {@link GogoCommands}. */
public final class LoopsCommands {

    private final LoopCommands commands;
    private final PlatformStop platformStop;

    LoopsCommands(ChoiceStore store, PlatformStop platformStop) {
        this.commands = new LoopCommands(store);
        this.platformStop = platformStop;
    }

    @Descriptor(LoopCommands.LOOPS)
    public String loops() {
        return commands.loops();
    }

    // Gogo gives each command thread its own System.out and System.err: the session's, or a pipe or
    // a file when redirected.
    @Descriptor(LoopCommands.RUN)
    public String run(CommandSession session, @Descriptor(LoopCommands.RUN_ARGS) String... argv) {
        if (session == null) {
            // Gogo matches a first argument of null (an unset variable) to the session's parameter
            throw new IllegalArgumentException("loop:run got no value for the program (an unset variable?)");
        }
        PrintStream console = session.getConsole();
        // not List.of: an unset variable comes as null, which the command names
        return commands.run(Arrays.asList(argv), flushingThrough(System.out, console), flushingThrough(System.err, console), platformStop);
    }

    // The program's output must show as it comes. Gogo reaches the terminal through NIO channels,
    // which pass no flush on, and JLine's terminal buffers its output (8 KiB): without this, what the
    // program printed appeared only when it ended. Flushing the console is harmless when redirected.
    private static PrintStream flushingThrough(PrintStream stream, PrintStream console) {
        return new PrintStream(new FilterOutputStream(stream) {
            @Override
            public void write(byte[] bytes, int offset, int length) throws IOException {
                out.write(bytes, offset, length);
            }

            @Override
            public void flush() throws IOException {
                out.flush();
                console.flush();
            }
        });
    }
}
