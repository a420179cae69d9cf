package dev.loopkit.watcher.tests;

import dev.loopkit.api.SubprocessOptions;
import dev.loopkit.api.SubprocessOptions.Redirect;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.selector.SelectorEventLoop;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A selector loop on a thread of its own that spawns one {@code sh -c script} through the process-wide
 * watcher and runs until the child's exit reaches it (10 s at most): what a switch made elsewhere must
 * not take from it.
 */
final class ChildOnItsOwnLoop implements AutoCloseable {

    final BaseEventLoop loop = new SelectorEventLoop();
    private final CompletableFuture<Integer> exited = new CompletableFuture<>();
    private final Thread running;

    /** Spawns and returns once the spawn completed. */
    ChildOnItsOwnLoop(String script) throws Exception {
        CompletableFuture<Void> spawned = new CompletableFuture<>();
        SubprocessOptions quiet = SubprocessOptions.defaults().withStdin(Redirect.DEVNULL).withStdout(Redirect.DEVNULL)
                .withStderr(Redirect.DEVNULL);
        loop.callSoon(() -> {
            Recording recording = new Recording();
            loop.subprocessExec(() -> recording, List.of("/bin/sh", "-c", script), quiet).whenComplete((transport, error) -> {
                if (error != null) {
                    spawned.completeExceptionally(error);
                } else {
                    spawned.complete(null);
                }
            });
            recording.exited.whenComplete((code, error) -> exited.complete(error != null ? -1 : code));
        });
        running = new Thread(() -> loop.runUntilComplete(exited.copy().completeOnTimeout(-2, 10, TimeUnit.SECONDS)), "child-loop");
        running.start();
        spawned.get(10, TimeUnit.SECONDS);
    }

    /** The child's return code as its loop heard it; {@code null} if no exit came within the loop's run. */
    Integer returncode() throws InterruptedException {
        running.join(15_000);
        return exited.getNow(null);
    }

    @Override
    public void close() throws InterruptedException {
        running.join(15_000);
        loop.close();
    }
}
