package dev.loopkit.posix;

import java.lang.System.Logger.Level;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The environment switches that turn a feature off ({@code LOOPKIT_PIDFD}, {@code LOOPKIT_EPOLL}). Off
 * is {@code off}, {@code 0}, {@code false} or {@code no}, in any case: an admin's {@code OFF} or
 * {@code 0} left the feature on without a word. On is unset, empty, {@code on}, {@code 1}, {@code true}
 * or {@code yes}; any other value leaves the feature on with a warning, once per variable and value
 * ({@code LOOPKIT_PIDFD=disabled} left pidfds on without one). A class of its own, without native
 * access, so that whoever asks (a test JVM without JNR) loads nothing else.
 */
public final class EnvironmentSwitch {

    private static final System.Logger LOG = System.getLogger(EnvironmentSwitch.class.getName());
    /** The values warned about, "VARIABLE=value": the switch is asked again whenever a loop or a probe starts. */
    private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();

    private EnvironmentSwitch() {
    }

    /** Why {@code variable} turns its feature off ("LOOPKIT_PIDFD=off in the environment"), or {@code null} when it does not. */
    public static String switchedOff(String variable) {
        return switchedOff(variable, System.getenv(variable), warning -> {
            if (WARNED.add(warning)) {
                LOG.log(Level.WARNING, warning);
            }
        });
    }

    /** {@link #switchedOff(String)} for {@code value}, telling {@code warn} of a value that is neither on nor off. */
    static String switchedOff(String variable, String value, Consumer<String> warn) {
        if (value == null) {
            return null;
        }
        String word = value.strip();
        return switch (word.toLowerCase(Locale.ROOT)) {
            case "off", "0", "false", "no" -> variable + "=" + word + " in the environment";
            case "", "on", "1", "true", "yes" -> null;
            default -> {
                warn.accept(variable + "=" + word + " in the environment is not understood: the feature stays on (off, 0,"
                        + " false or no turns it off)");
                yield null;
            }
        };
    }
}
