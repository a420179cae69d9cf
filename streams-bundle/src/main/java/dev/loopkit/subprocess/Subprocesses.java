package dev.loopkit.subprocess;

import dev.loopkit.api.Asyncio;
import dev.loopkit.api.EventLoop;
import dev.loopkit.api.LoopFuture;
import dev.loopkit.api.SubprocessTransport;
import dev.loopkit.api.SubprocessOptions;
import dev.loopkit.api.SubprocessOptions.Redirect;
import dev.loopkit.streams.StreamReader;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * asyncio's {@code create_subprocess_exec} and {@code create_subprocess_shell}. Without a loop
 * argument they use the running loop.
 */
public final class Subprocesses {

    private static final SubprocessOptions PARENTS_STREAMS = SubprocessOptions.defaults().withStdin(Redirect.INHERIT)
            .withStdout(Redirect.INHERIT).withStderr(Redirect.INHERIT);

    private Subprocesses() {
    }

    /**
     * asyncio's {@code create_subprocess_exec(*args)} on the running loop: the child has the parent's
     * standard streams ({@code stdin=stdout=stderr=None}, asyncio's defaults here), so the Subprocess has
     * none. Pipes are asked for with {@link SubprocessOptions#defaults()} (the loop's
     * {@code subprocess_exec} defaults) in the long form; piped by default, output nobody read filled the
     * pipes and the child never ended.
     */
    public static CompletionStage<Subprocess> createSubprocessExec(String... args) {
        return createSubprocessExec(Asyncio.getRunningLoop(), List.of(args), PARENTS_STREAMS, StreamReader.DEFAULT_LIMIT);
    }

    public static CompletionStage<Subprocess> createSubprocessExec(EventLoop loop, List<String> args,
            SubprocessOptions options, int limit) {
        SubprocessStreamProtocol protocol = new SubprocessStreamProtocol(loop, limit);
        return handedOver(loop, loop.subprocessExec(() -> protocol, args, options), protocol);
    }

    /** asyncio's {@code create_subprocess_shell(cmd)} on the running loop: the parent's standard streams, as above. */
    public static CompletionStage<Subprocess> createSubprocessShell(String cmd) {
        return createSubprocessShell(Asyncio.getRunningLoop(), cmd, PARENTS_STREAMS, StreamReader.DEFAULT_LIMIT);
    }

    public static CompletionStage<Subprocess> createSubprocessShell(EventLoop loop, String cmd,
            SubprocessOptions options, int limit) {
        SubprocessStreamProtocol protocol = new SubprocessStreamProtocol(loop, limit);
        return handedOver(loop, loop.subprocessShell(() -> protocol, cmd, options), protocol);
    }

    /**
     * The Subprocess once the spawn completes. Given up on before that (cancelled, timed out), the spawn
     * is cancelled, which kills and reaps the child, as asyncio's {@code _make_subprocess_transport} does
     * ({@code transp.close(); await transp._wait()}); a child spawned as the caller gave up is killed
     * too. A derived stage ({@code thenApply}) never passed the cancel on, and the child ran on out of
     * anyone's reach (an outside review).
     */
    private static CompletionStage<Subprocess> handedOver(EventLoop loop, CompletionStage<SubprocessTransport> spawning,
            SubprocessStreamProtocol protocol) {
        CompletableFuture<SubprocessTransport> spawn = spawning.toCompletableFuture();
        LoopFuture<Subprocess> handed = loop.createFuture();
        handed.whenComplete((subprocess, givenUp) -> {
            if (givenUp != null) {
                spawn.cancel(false);
            }
        });
        spawn.whenComplete((transport, failed) -> {
            try {
                if (failed != null) {
                    handed.setException(failed instanceof CompletionException c && c.getCause() != null ? c.getCause() : failed);
                } else {
                    handed.setResult(new Subprocess(transport, protocol, loop));
                }
            } catch (IllegalStateException givenUpMeanwhile) {
                if (transport != null) {
                    transport.close(); // asyncio's transp.close(): the child is killed
                }
            }
        });
        return handed;
    }
}
