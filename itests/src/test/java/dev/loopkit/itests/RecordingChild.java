package dev.loopkit.itests;

import dev.loopkit.api.SubprocessProtocol;
import dev.loopkit.api.SubprocessTransport;
import dev.loopkit.runtime.ProcessWide;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;

/** A subprocess protocol that records the exits it is told of, and the code it expects. */
final class RecordingChild implements SubprocessProtocol {

    final int expected;
    final CompletableFuture<Integer> exited = new CompletableFuture<>();
    final AtomicInteger exits = new AtomicInteger();
    private SubprocessTransport transport;

    RecordingChild(int expected) {
        this.expected = expected;
    }

    @Override
    public void connectionMade(SubprocessTransport made) {
        transport = made;
    }

    @Override
    public void processExited() {
        exits.incrementAndGet();
        exited.complete(transport.getReturncode());
    }

    /**
     * Whether a spawn failed because no watcher was installed or active at that moment (watcher
     * bundles stopping): nothing was spawned, and the caller may try again.
     */
    static boolean refusedForWantOfAWatcher(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        String message = String.valueOf(cause.getMessage());
        return cause instanceof IllegalStateException && (message.startsWith("No child watcher is installed")
                || message.startsWith("the child watcher is not activated, subprocess support is not installed"));
    }

    // For a failure message: the children still waiting, and which watcher holds each.
    static String whereAre(Iterable<Map.Entry<Long, RecordingChild>> children) {
        StringBuilder text = new StringBuilder();
        children.forEach(entry -> {
            long pid = entry.getKey();
            RecordingChild child = entry.getValue();
            if (!child.exited.isDone()) {
                text.append(pid).append(" held by ");
                ProcessWide.get().childWatchers().entries().stream().filter(e -> e.service().children().containsKey(pid))
                        .forEach(e -> text.append(e.name()).append(' '));
                if (ProcessWide.get().watcherSwitch().orphans().containsKey(pid)) {
                    text.append("the orphanage ");
                }
                text.append("alive=").append(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).append("; ");
            }
        });
        return text + " current " + ProcessWide.get().childWatchers().choice();
    }
}
