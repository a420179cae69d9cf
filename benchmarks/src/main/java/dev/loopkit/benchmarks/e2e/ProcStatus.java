package dev.loopkit.benchmarks.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** This process's resident set and thread count, from {@code /proc/self/status} ({@code VmRSS}, {@code Threads}). */
public record ProcStatus(long rssKb, long threads) {

    public static ProcStatus now() throws IOException {
        String status = Files.readString(Path.of("/proc/self/status"));
        return new ProcStatus(field(status, "VmRSS:"), field(status, "Threads:"));
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
