package dev.loopkit.loop.core;

import dev.loopkit.posix.Posix;

/**
 * Which numbers are signals here, as Python's {@code signal.valid_signals()} says on Linux: the
 * standard signals 1 to 31 and the real-time ones glibc leaves to programs, {@code SIGRTMIN} (34) to
 * {@code SIGRTMAX} (64). The kernel's first real-time signals, 32 and 33, are glibc's own (thread
 * cancellation, {@code setxid}): glibc's {@code sigfillset} leaves them out, so they are no signals
 * for a program.
 */
final class SignalNumbers {

    /** The kernel's first real-time signal; glibc keeps the ones below its run-time SIGRTMIN. */
    private static final int KERNEL_SIGRTMIN = 32;
    private static final int[] REALTIME_RANGE = realtimeRange();

    private SignalNumbers() {
    }

    /** @throws IllegalArgumentException asyncio's "invalid signal number N" */
    static void check(int signum) {
        boolean standard = signum >= 1 && signum < KERNEL_SIGRTMIN;
        if (!standard && !isRealtime(signum)) {
            throw new IllegalArgumentException("invalid signal number " + signum);
        }
    }

    static boolean isRealtime(int signum) {
        return signum >= REALTIME_RANGE[0] && signum <= REALTIME_RANGE[1];
    }

    /** {@code SIGRTMIN+2} for 36: the name glibc's {@code strsignal} and the shell's {@code kill -l} use. */
    static String realtimeName(int signum) {
        return signum == REALTIME_RANGE[1] ? "SIGRTMAX" : "SIGRTMIN" + (signum == REALTIME_RANGE[0] ? "" : "+" + (signum - REALTIME_RANGE[0]));
    }

    // glibc's SIGRTMIN and SIGRTMAX at run time, from the posix bundle; without it, the values every
    // glibc on Linux has had since NPTL (2.3): then no real-time signal can be caught anyway.
    private static int[] realtimeRange() {
        try {
            Posix posix = Posix.get();
            return new int[] {posix.sigrtmin(), posix.sigrtmax()};
        } catch (LinkageError | UnsupportedOperationException noPosix) {
            return new int[] {34, 64};
        }
    }
}
