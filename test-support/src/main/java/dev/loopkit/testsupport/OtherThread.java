package dev.loopkit.testsupport;

import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The reentrancy tests' probe. A callback that user code supplies may call any public method, and
 * may hand the call to another thread and wait for it: a lock held around the callback is taken
 * again on the same thread (Java's monitors and locks are reentrant), so only a call from another
 * thread shows that the callback runs under a lock the public method needs.
 */
public final class OtherThread {

    /** How long a probe waits: far beyond any call that does not wait for a lock. */
    public static final long WAIT_SECONDS = 10;

    private OtherThread() {
    }

    /** Runs {@code call} on a thread of its own and waits {@value #WAIT_SECONDS} s for it: whether it returned. */
    public static boolean returns(Runnable call) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread worker = new Thread(() -> {
            call.run();
            done.complete(null);
        }, "reentrancy-probe");
        worker.start();
        try {
            worker.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return done.isDone();
    }

    /** Where the probes that have not returned wait, for a failure's message: each one's first frames. */
    public static String probeStacks() {
        return Thread.getAllStackTraces().entrySet().stream()
                .filter(e -> e.getKey().getName().equals("reentrancy-probe"))
                .map(e -> e.getKey() + "\n    at " + Arrays.stream(e.getValue()).limit(14).map(String::valueOf)
                        .collect(Collectors.joining("\n    at ")))
                .collect(Collectors.joining("\n"));
    }
}
