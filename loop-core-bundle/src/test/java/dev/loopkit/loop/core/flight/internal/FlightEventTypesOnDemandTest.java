package dev.loopkit.loop.core.flight.internal;

import static org.junit.Assert.assertTrue;

import dev.loopkit.loop.core.flight.FlightEvents;
import dev.loopkit.testsupport.OwnJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.Test;

/**
 * The loops' event types are made when a flight recorder exists, not at a JVM's first spawn. Making them
 * loaded and ran JFR's metadata machinery at the first spawn of every JVM, recorded or not: 200 to 240 ms
 * on this machine's kind and about 500 more methods for the JIT, which then compiled them on the cores
 * the first children needed (the cold spawning rows of docs/BENCHMARKS.md). A recording started later
 * still gets every event. The JVM must not have made a flight recorder before, so the case runs in a JVM
 * of its own.
 */
public class FlightEventTypesOnDemandTest {

    private static final String RECORDED = "the types waited for a recorder; the recording got the spawn";

    @Test(timeout = 120_000)
    public void theTypesAreMadeOnceARecorderExistsAndARecordingStillGetsTheEvents() throws Exception {
        String said = OwnJvm.run(FlightEventTypesOnDemandTest.class);
        assertTrue(said, said.contains(RECORDED));
    }

    /** The JVM of the case: every event of a loop while no recorder exists, then a recording. */
    public static void main(String[] args) throws Exception {
        FlightEvents.blockedLoop("loop", "thread", "<Handle blocking>", 5_000_000L, 1_000_000L);
        FlightEvents.slowCallback("loop", "<Handle slow>", 5_000_000L);
        FlightEvents.childSpawned(11, "/bin/true", "loop");
        FlightEvents.exitDelivered(11, 0, null, System.nanoTime());
        if (FlightRecorder.isInitialized()) {
            fail("a loop's events made a flight recorder");
        }
        List<String> madeBefore = loopkitTypes();
        if (!madeBefore.isEmpty()) { // getFlightRecorder() above made the recorder; the events came before it
            fail("the loop's event types were made with no recorder: " + madeBefore);
        }
        Path file = Files.createTempFile("loopkit-on-demand", ".jfr");
        try {
            try (Recording recording = new Recording()) {
                recording.enable(FlightEvents.CHILD_SPAWNED);
                recording.start();
                FlightEvents.childSpawned(12, "/bin/false", "loop");
                recording.stop();
                recording.dump(file);
            }
            List<RecordedEvent> spawns = RecordingFile.readAllEvents(file).stream()
                    .filter(event -> event.getEventType().getName().equals(FlightEvents.CHILD_SPAWNED)).toList();
            if (spawns.size() != 1 || spawns.get(0).getLong("pid") != 12) {
                fail("the recording got " + spawns);
            }
            if (!loopkitTypes().equals(List.of(FlightEvents.BLOCKED_LOOP, FlightEvents.CHILD_SPAWNED,
                    FlightEvents.EXIT_DELIVERED, FlightEvents.SLOW_CALLBACK))) {
                fail("registered once a recorder existed: " + loopkitTypes());
            }
        } finally {
            Files.deleteIfExists(file);
        }
        System.out.println(RECORDED);
        System.exit(0);
    }

    private static List<String> loopkitTypes() {
        return FlightRecorder.getFlightRecorder().getEventTypes().stream().map(type -> type.getName())
                .filter(name -> name.startsWith("dev.loopkit.")).sorted().toList();
    }

    private static void fail(String why) {
        System.out.println(why);
        System.exit(1);
    }
}
