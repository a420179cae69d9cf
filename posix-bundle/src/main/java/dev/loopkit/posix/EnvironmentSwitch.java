package dev.loopkit.posix;

import java.util.Locale;

/**
 * The environment switches that turn a feature off ({@code LOOPKIT_PIDFD}, {@code LOOPKIT_EPOLL}). Off
 * is {@code off}, {@code 0}, {@code false} or {@code no}, in any case: an admin's {@code OFF} or
 * {@code 0} left the feature on without a word. A class of its own, without native access, so that
 * whoever asks (a test JVM without JNR) loads nothing else.
 */
public final class EnvironmentSwitch {

    private EnvironmentSwitch() {
    }

    /** Why {@code variable} turns its feature off ("LOOPKIT_PIDFD=off in the environment"), or {@code null} when it does not. */
    public static String switchedOff(String variable) {
        String value = System.getenv(variable);
        if (value == null) {
            return null;
        }
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "off", "0", "false", "no" -> variable + "=" + value.strip() + " in the environment";
            default -> null;
        };
    }
}
