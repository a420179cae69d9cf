package dev.loopkit.api.spi;

/**
 * Published in place of a policy, loop factory or watcher that cannot work on this machine (the
 * pidfd watcher on a kernel without {@code pidfd_open}, say), so that shells can list it and say
 * why. Its service properties: {@code loopkit.name}, {@code loopkit.kind} and
 * {@value #REASON_PROPERTY}.
 */
@FunctionalInterface
public interface UnavailableService {

    String KIND_PROPERTY = "loopkit.kind";
    String REASON_PROPERTY = "loopkit.unavailable.reason";

    /** Why it cannot work here. */
    String reason();
}
