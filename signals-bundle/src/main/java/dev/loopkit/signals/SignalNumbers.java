package dev.loopkit.signals;

import dev.loopkit.posix.Posix;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import sun.misc.Signal;

/**
 * Loopkit's one source of signal numbers, and which numbers are signals here, as Python's
 * {@code signal.valid_signals()} says on Linux: the standard signals 1 to 31 and the real-time ones
 * glibc leaves to programs, {@code SIGRTMIN} (34) to {@code SIGRTMAX} (64). The kernel's first
 * real-time signals, 32 and 33, are glibc's own (thread cancellation, {@code setxid}): glibc's
 * {@code sigfillset} leaves them out, so they are no signals for a program. The standard signals'
 * numbers come from the JVM ({@link Signal}), which knows them without native code.
 */
public final class SignalNumbers {

    /** The names the JVM's {@link Signal} knows, tried once to map numbers to names. */
    private static final List<String> NAMES = List.of("HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE",
            "KILL", "USR1", "SEGV", "USR2", "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP",
            "TTIN", "TTOU", "URG", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS");
    private static final Map<Integer, String> NAME_OF = namesByNumber();

    /** A child stopped or exited: what the SIGCHLD-based child watchers listen to. */
    public static final int SIGCHLD = number("SIGCHLD");
    /** Cannot be caught. */
    public static final int SIGKILL = number("SIGKILL");
    /** asyncio's {@code terminate()}. */
    public static final int SIGTERM = number("SIGTERM");
    /** Cannot be caught. */
    public static final int SIGSTOP = number("SIGSTOP");

    /** The kernel's first real-time signal; glibc keeps the ones below its run-time SIGRTMIN. */
    private static final int KERNEL_SIGRTMIN = 32;
    private static final int[] REALTIME_RANGE = realtimeRange();

    private SignalNumbers() {
    }

    /**
     * The number of the standard signal {@code name} here, e.g. {@code number("SIGCHLD") == 17} on
     * Linux; the {@code SIG} prefix may be left out.
     *
     * @throws IllegalArgumentException "unknown signal name: 'NAME'"
     */
    public static int number(String name) {
        String bare = name.startsWith("SIG") ? name.substring(3) : name;
        try {
            if (NAMES.contains(bare)) {
                return new Signal(bare).getNumber();
            }
        } catch (IllegalArgumentException notOnThisOs) {
            // as unknown
        }
        throw new IllegalArgumentException("unknown signal name: '" + name + "'");
    }

    /** The JVM's name of a standard signal without its {@code SIG} prefix ("CHLD"), or {@code null}. */
    static String jvmName(int signum) {
        return NAME_OF.get(signum);
    }

    /** @throws IllegalArgumentException asyncio's "invalid signal number N" */
    public static void check(int signum) {
        boolean standard = signum >= 1 && signum < KERNEL_SIGRTMIN;
        if (!standard && !isRealtime(signum)) {
            throw new IllegalArgumentException("invalid signal number " + signum);
        }
    }

    /** Whether {@code signum} is one of glibc's real-time signals, {@code SIGRTMIN..SIGRTMAX}. */
    public static boolean isRealtime(int signum) {
        return signum >= REALTIME_RANGE[0] && signum <= REALTIME_RANGE[1];
    }

    /** {@code SIGRTMIN+2} for 36: the name glibc's {@code strsignal} and the shell's {@code kill -l} use. */
    public static String realtimeName(int signum) {
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

    private static Map<Integer, String> namesByNumber() {
        Map<Integer, String> names = new HashMap<>();
        for (String name : NAMES) {
            try {
                names.putIfAbsent(new Signal(name).getNumber(), name);
            } catch (IllegalArgumentException unknownHere) {
                // not a signal on this OS
            }
        }
        return Map.copyOf(names);
    }
}
