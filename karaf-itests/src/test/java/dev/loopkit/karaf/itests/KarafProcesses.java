package dev.loopkit.karaf.itests;

/**
 * Pax Exam leaves the Karaf it started running when Karaf never reports ready (it kills only a
 * container that came up). When the test JVM exits, this ends the Karaf JVMs that it started: its
 * own child processes running Karaf's main class, and nothing else.
 */
final class KarafProcesses {

    private static final String KARAF_MAIN = "org.apache.karaf.main.Main";
    private static boolean hooked;

    private KarafProcesses() {
    }

    static synchronized void stopLeftoversOnExit() {
        if (hooked) {
            return;
        }
        hooked = true;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> ProcessHandle.current().children()
                .filter(child -> child.info().commandLine().map(line -> line.contains(KARAF_MAIN)).orElse(false))
                .forEach(ProcessHandle::destroyForcibly), "stop-leftover-karaf"));
    }
}
