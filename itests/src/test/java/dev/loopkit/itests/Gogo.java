package dev.loopkit.itests;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Converter;

/** Running a Gogo command as the shell would, without a terminal. */
final class Gogo {

    private Gogo() {
    }

    /** What {@code command} printed, then what it returned as the shell shows it. */
    static String run(CommandProcessor processor, String command) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
        try (CommandSession session = processor.createSession(new ByteArrayInputStream(new byte[0]), print, print)) {
            Object result = session.execute(command);
            if (result != null) {
                print.println(session.format(result, Converter.INSPECT));
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
