package dev.loopkit.benchmarks.e2e;

import dev.loopkit.api.EventLoop;
import dev.loopkit.benchmarks.LoopDriver;
import dev.loopkit.benchmarks.LoopkitDriver;
import java.io.InputStream;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A server workload running in this JVM on one loop (TCP echo, TLS echo, UDP echo, sendfile): the
 * port it listens on on 127.0.0.1; closing it stops it and its loop. The driver talks to every such
 * server the same way: {@code READY <port>}, then it serves until its standard input ends.
 */
public interface ServerWorkload extends AutoCloseable {

    /** The line a server workload prints, instead of {@code READY}, when its loop refuses what it needs. */
    String UNSUPPORTED = "UNSUPPORTED ";

    int port();

    @Override
    void close();

    /**
     * Prints {@code READY <port>} and serves until standard input ends; prints
     * {@code UNSUPPORTED <message>} and returns when the loop refuses the workload.
     */
    static void serve(Callable<? extends ServerWorkload> start) throws Exception {
        ServerWorkload server = startOrSayUnsupported(start);
        if (server == null) {
            return;
        }
        try (server) {
            System.out.println("READY " + server.port());
            System.out.flush();
            InputStream in = System.in;
            byte[] sink = new byte[256];
            while (in.read(sink) >= 0) {
                // the driver closes our stdin to stop us
            }
        }
    }

    /** A started server, or {@code null} after printing {@code UNSUPPORTED <message>} for a loop that refuses the workload. */
    static <S extends ServerWorkload> S startOrSayUnsupported(Callable<S> start) throws Exception {
        try {
            return start.call();
        } catch (UnsupportedOperationException refused) {
            System.out.println(UNSUPPORTED + String.valueOf(refused.getMessage()).replace('\n', ' '));
            System.out.flush();
            return null;
        }
    }

    /**
     * What {@code make} makes on the loop thread of {@code driver}, once its stage completes; the loop's
     * refusal ({@link UnsupportedOperationException}, thrown or as the stage's failure) is rethrown as it
     * is. On any failure the driver is closed.
     */
    static <T> T madeOnLoop(LoopkitDriver driver, Function<EventLoop, CompletionStage<T>> make) throws Exception {
        CompletableFuture<T> made = new CompletableFuture<>();
        driver.submit(() -> {
            try {
                make.apply(driver.loop()).whenComplete((value, error) -> {
                    if (error != null) {
                        made.completeExceptionally(error);
                    } else {
                        made.complete(value);
                    }
                });
            } catch (RuntimeException refused) {
                made.completeExceptionally(refused);
            }
        });
        try {
            return made.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            driver.close();
            if (e.getCause() instanceof UnsupportedOperationException refused) {
                throw refused;
            }
            throw e;
        } catch (Exception | Error e) {
            driver.close();
            throw e;
        }
    }

    /** Runs {@code task} on the loop thread of {@code driver} and waits for it. */
    static void onLoop(LoopDriver driver, Runnable task) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        driver.submit(() -> {
            try {
                task.run();
                done.complete(null);
            } catch (RuntimeException | Error e) {
                done.completeExceptionally(e);
            }
        });
        done.join();
    }
}
