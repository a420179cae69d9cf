package dev.loopkit.loop.core;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * What a loop must do whatever the interrupt status of the thread it runs on, leaving the status as it
 * found it. The status is often set there: an interrupt stops a loop only at the end of the iteration it
 * came in (the status stays set for the caller of {@code runForever}), a callback may restore it after
 * catching an {@code InterruptedException}, and a host stops a plugin, closing its loops, from an
 * interrupted thread.
 */
public final class Uninterruptibly {

    /** A call on a file channel. */
    @FunctionalInterface
    public interface FileCall<T> {
        T call() throws IOException;
    }

    private Uninterruptibly() {
    }

    /**
     * {@code call} on a caller's {@code FileChannel}, the interrupt status set aside meanwhile. A
     * {@code FileChannel} closes itself when a thread whose status is set calls it
     * ({@code ClosedByInterruptException}): a sendfile started in the iteration an interrupt stopped
     * closed the caller's file, which asyncio never closes ({@code HostBadLuckContract}). The loops'
     * sockets are non-blocking channels, which the JDK does not close on an interrupt.
     */
    public static <T> T onFile(FileCall<T> call) throws IOException {
        if (!Thread.interrupted()) {
            return call.call();
        }
        try {
            return call.call();
        } finally {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Waits up to {@code millis} for {@code thread} to end, through interrupts. A join an interrupt cut
     * short let a loop's {@code close()} return with its helper thread alive, and go on to free the
     * native buffer that thread's {@code epoll_wait} was writing into: a test JVM aborted in glibc
     * ({@code HostBadLuckContract}).
     *
     * @return whether the thread ended
     */
    public static boolean join(Thread thread, long millis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        boolean interrupted = false;
        try {
            while (thread.isAlive()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    TimeUnit.NANOSECONDS.timedJoin(thread, left);
                } catch (InterruptedException e) {
                    interrupted = true; // the exception cleared the status: the next join waits
                }
            }
            return true;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
