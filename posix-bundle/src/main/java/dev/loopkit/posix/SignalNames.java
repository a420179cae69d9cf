package dev.loopkit.posix;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import jnr.constants.platform.Signal;

/**
 * Signal numbers to names, from jnr-constants. Where Linux has two names for one number, the one
 * Python's {@code signal.Signals} uses wins (SIGABRT, not SIGIOT; SIGCHLD, not SIGCLD; SIGIO, not
 * SIGPOLL; SIGSYS, not SIGUNUSED).
 */
final class SignalNames {

    private static final Set<String> ALIASES = Set.of("SIGIOT", "SIGCLD", "SIGPOLL", "SIGUNUSED", "SIGINFO", "SIGLOST");
    private static final Map<Integer, String> NAMES = names();

    private SignalNames() {
    }

    static String nameOf(int number) {
        String name = NAMES.get(number);
        if (name == null) {
            throw new IllegalArgumentException("unknown signal number: " + number);
        }
        return name;
    }

    private static Map<Integer, String> names() {
        Map<Integer, String> names = new HashMap<>();
        for (Signal signal : Signal.values()) {
            if (signal.defined() && signal.name().startsWith("SIG")) {
                String known = names.get(signal.intValue());
                if (known == null || ALIASES.contains(known)) {
                    names.put(signal.intValue(), signal.name());
                }
            }
        }
        return Map.copyOf(names);
    }
}
