package dev.loopkit.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.loopkit.runtime.ProcessWide;
import java.util.List;
import javax.inject.Inject;
import org.apache.felix.service.command.CommandProcessor;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/** The {@code loop:} Gogo commands print what the registry holds, and switch it. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class GogoCommandsIT {

    @Inject
    private CommandProcessor processor;

    @Configuration
    public Option[] configuration() {
        return LoopkitOptions.distribution();
    }

    @Before
    public void policiesRegistered() {
        EpollPolicy.awaitRegistered();
    }

    @Test
    public void policiesPrintsTheRankedTableAndWhy() throws Exception {
        String out = run("loop:policies");
        List<String> lines = out.lines().filter(line -> !line.isBlank()).toList();
        assertTrue(out, lines.get(0).matches("   NAME +RANKING +BUNDLE +CLASS"));
        if (EpollPolicy.works()) {
            assertTrue(out, lines.get(1).matches("\\* +epoll +150 +dev\\.loopkit\\.loop\\.epoll +dev\\.loopkit\\.loop\\.epoll\\.EpollEventLoopPolicy"));
            assertTrue(out, lines.get(2).matches(" +default +100 +dev\\.loopkit\\.policy +dev\\.loopkit\\.policy\\.DefaultEventLoopPolicy"));
        } else {
            assertTrue(out, lines.get(1).matches("\\* +default +100 +dev\\.loopkit\\.policy +dev\\.loopkit\\.policy\\.DefaultEventLoopPolicy"));
            assertTrue(out, lines.stream().anyMatch(line -> line.matches(" +epoll +- +- +unavailable: .+")));
        }
        assertTrue(out, lines.stream().anyMatch(line -> line.matches(" +proactor +10 +dev\\.loopkit\\.policy +dev\\.loopkit\\.policy\\.ProactorEventLoopPolicy")));
        assertEquals(out, EpollPolicy.rankedStatus(), lines.get(lines.size() - 1));
    }

    @Test
    public void policySwitchesAndResetPolicyReturnsToTheRanking() throws Exception {
        assertEquals(EpollPolicy.rankedStatus(), run("loop:policy").strip());
        String switched = run("loop:policy selector");
        assertTrue(switched, switched.contains("process-wide: selector (configured: configuration dev.loopkit.policy)"));
        assertEquals("selector", ProcessWide.get().policies().current().getClass().getSimpleName().replace("EventLoopPolicy", "").toLowerCase());
        String reset = run("loop:reset-policy");
        assertTrue(reset, reset.contains(EpollPolicy.rankedStatus()));
    }

    @Test
    public void anUnknownPolicyNameIsRefusedWithTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> run("loop:policy nosuch"));
        assertEquals("Unknown event loop policy 'nosuch' (known: " + String.join(", ", EpollPolicy.names()) + ")", e.getMessage());
    }

    private String run(String command) throws Exception {
        return Gogo.run(processor, command);
    }
}
