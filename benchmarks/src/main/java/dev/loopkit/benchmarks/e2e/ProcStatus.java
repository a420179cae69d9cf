package dev.loopkit.benchmarks.e2e;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * This process's resident set and thread count, from {@code /proc/self/status} ({@code VmRSS},
 * {@code Threads}: every thread, the JVM's GC and JIT compiler threads included, which the JVM starts and
 * ends as it sees fit), and the live Java threads ({@link java.lang.management.ThreadMXBean#getThreadCount()}:
 * the application's, which is where a loop's threads are).
 */
public record ProcStatus(long rssKb, long threads, long javaThreads) {

    public static ProcStatus now() throws IOException {
        String status = Files.readString(Path.of("/proc/self/status"));
        return new ProcStatus(field(status, "VmRSS:"), field(status, "Threads:"), ManagementFactory.getThreadMXBean().getThreadCount());
    }

    private static long field(String status, String name) {
        for (String line : status.split("\n")) {
            if (line.startsWith(name)) {
                return Long.parseLong(line.substring(name.length()).trim().split("\\s+")[0]);
            }
        }
        return -1;
    }
}
