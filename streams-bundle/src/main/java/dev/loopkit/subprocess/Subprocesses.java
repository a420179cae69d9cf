package dev.loopkit.subprocess;

import dev.loopkit.api.Asyncio;
import dev.loopkit.api.EventLoop;
import dev.loopkit.api.SubprocessOptions;
import dev.loopkit.streams.StreamReader;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * asyncio's {@code create_subprocess_exec} and {@code create_subprocess_shell}. Without a loop
 * argument they use the running loop.
 */
public final class Subprocesses {

    private Subprocesses() {
    }

    /** asyncio {@code create_subprocess_exec(*args)} on the running loop, with three pipes. */
    public static CompletionStage<Subprocess> createSubprocessExec(String... args) {
        return createSubprocessExec(Asyncio.getRunningLoop(), List.of(args), SubprocessOptions.defaults(),
                StreamReader.DEFAULT_LIMIT);
    }

    public static CompletionStage<Subprocess> createSubprocessExec(EventLoop loop, List<String> args,
            SubprocessOptions options, int limit) {
        SubprocessStreamProtocol protocol = new SubprocessStreamProtocol(loop, limit);
        return loop.subprocessExec(() -> protocol, args, options)
                .thenApply(transport -> new Subprocess(transport, protocol, loop));
    }

    /** asyncio {@code create_subprocess_shell(cmd)} on the running loop, with three pipes. */
    public static CompletionStage<Subprocess> createSubprocessShell(String cmd) {
        return createSubprocessShell(Asyncio.getRunningLoop(), cmd, SubprocessOptions.defaults(), StreamReader.DEFAULT_LIMIT);
    }

    public static CompletionStage<Subprocess> createSubprocessShell(EventLoop loop, String cmd,
            SubprocessOptions options, int limit) {
        SubprocessStreamProtocol protocol = new SubprocessStreamProtocol(loop, limit);
        return loop.subprocessShell(() -> protocol, cmd, options)
                .thenApply(transport -> new Subprocess(transport, protocol, loop));
    }
}
