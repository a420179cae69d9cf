package dev.loopkit.jfr;

import static org.junit.Assert.assertEquals;

import dev.loopkit.api.EventLoopPolicy;
import dev.loopkit.runtime.ProcessWide;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.After;
import org.junit.Test;

/**
 * A policy set explicitly (Asyncio.setEventLoopPolicy) that no registry entry names: the PolicyChange
 * event names it as the registry does (its class's full name). Before, it used getSimpleName(), which is
 * "" for an anonymous class.
 */
public class ExplicitPolicyEventTest {

    @After
    public void forget() {
        ProcessWide.get().policies().setExplicit(null);
    }

    @Test
    public void theEventNamesAnExplicitPolicyAsTheRegistryDoes() throws Exception {
        EventLoopPolicy anonymous = new EventLoopPolicy() { // as an application sets its own
            @Override
            public dev.loopkit.api.EventLoop getEventLoop() {
                throw new UnsupportedOperationException();
            }

            @Override
            public void setEventLoop(dev.loopkit.api.EventLoop loop) {
            }

            @Override
            public dev.loopkit.api.EventLoop newEventLoop() {
                throw new UnsupportedOperationException();
            }
        };
        Path file = Files.createTempFile("loopkit-events", ".jfr");
        String registryName;
        try (RuntimeEvents events = RuntimeEvents.start(); Recording recording = new Recording()) {
            recording.enable(LoopkitEvents.POLICY_CHANGE);
            recording.start();
            ProcessWide.get().policies().setExplicit(anonymous);
            registryName = ProcessWide.get().policies().choice().name();
            recording.stop();
            recording.dump(file);
        }
        List<RecordedEvent> recorded = RecordingFile.readAllEvents(file);
        Files.delete(file);
        List<String> to = recorded.stream().filter(e -> e.getEventType().getName().equals(LoopkitEvents.POLICY_CHANGE))
                .map(e -> e.getString("to")).toList();
        assertEquals(List.of(registryName), to);
    }
}
