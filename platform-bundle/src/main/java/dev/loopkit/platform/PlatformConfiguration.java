package dev.loopkit.platform;

/**
 * The configuration of a Loopkit platform: properties {@code policy} and {@code watcher} name the
 * process-wide policy and the child watcher, {@code mainLoop} and {@code mainLoopThread} set up the
 * main loop.
 */
public final class PlatformConfiguration {

    /**
     * The configuration's PID ({@code etc/dev.loopkit.policy.cfg} in Karaf). It kept the name it had
     * when the policy bundle held the platform too: operators' files and ACLs name it.
     */
    public static final String PID = "dev.loopkit.policy";

    private PlatformConfiguration() {
    }
}
