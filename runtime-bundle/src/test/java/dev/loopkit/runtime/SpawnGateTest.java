package dev.loopkit.runtime;

import static org.junit.Assert.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.Test;

/** What a watcher puts off until its thread lets go of the gate ({@link SpawnGate#outside}). */
public class SpawnGateTest {

    private final SpawnGate gate = new SpawnGate();
    private final List<String> said = new ArrayList<>();

    @Test
    public void outsideTheGateItRunsAtOnce() {
        gate.outside(() -> said.add("now"));
        assertEquals(List.of("now"), said);
    }

    @Test
    public void underASpawnItRunsOnceTheSpawnLetGo() {
        gate.spawn(() -> "watcher", watcher -> {
            gate.outside(() -> said.add("put off"));
            said.add("spawned");
            return null;
        });
        assertEquals(List.of("spawned", "put off"), said);
    }

    @Test
    public void underASpawnUnderASpawnItWaitsForTheOuterOne() {
        gate.spawn(() -> "outer", outer -> {
            gate.spawn(() -> "inner", inner -> {
                gate.outside(() -> said.add("put off"));
                return null;
            });
            said.add("inner let go");
            return null;
        });
        assertEquals(List.of("inner let go", "put off"), said);
    }

    @Test
    public void underASwitchEverythingRunsInOrderOnceItLetGoEvenAfterAFailure() {
        gate.switchWatchers(() -> {
            gate.outside(() -> said.add("first"));
            gate.outside(() -> {
                throw new IllegalStateException("a log handler failed");
            });
            gate.outside(() -> said.add("third"));
            said.add("switched");
        });
        assertEquals(List.of("switched", "first", "third"), said);
    }

    @Test
    public void aSwitchThatFailsStillRunsWhatItPutOff() {
        try {
            gate.switchWatchers(() -> {
                gate.outside(() -> said.add("put off"));
                throw new IllegalStateException("the hand-over failed");
            });
        } catch (IllegalStateException expected) {
            said.add("failed");
        }
        assertEquals(List.of("put off", "failed"), said);
    }
}
