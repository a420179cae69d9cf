package dev.loopkit.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.loopkit.runtime.ProcessWide;
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
        Await.until("the three policies registered", () -> ProcessWide.get().policies().entries().size(), 3);
    }

    @Test
    public void policiesPrintsTheRankedTableAndWhy() throws Exception {
        String out = run("loop:policies");
        assertTrue(out, out.contains("NAME      RANKING  BUNDLE              CLASS"));
        assertTrue(out, out.contains("*  default   100      dev.loopkit.policy  dev.loopkit.policy.DefaultEventLoopPolicy"));
        assertTrue(out, out.contains("   proactor  10       dev.loopkit.policy  dev.loopkit.policy.ProactorEventLoopPolicy"));
        assertTrue(out, out.contains("process-wide: default (ranked: highest service.ranking)"));
    }

    @Test
    public void policySwitchesAndResetPolicyReturnsToTheRanking() throws Exception {
        assertEquals("process-wide: default (ranked: highest service.ranking)", run("loop:policy").strip());
        String switched = run("loop:policy selector");
        assertTrue(switched, switched.contains("process-wide: selector (configured: configuration dev.loopkit.policy)"));
        assertEquals("selector", ProcessWide.get().policies().current().getClass().getSimpleName().replace("EventLoopPolicy", "").toLowerCase());
        String reset = run("loop:reset-policy");
        assertTrue(reset, reset.contains("process-wide: default (ranked"));
    }

    @Test
    public void anUnknownPolicyNameIsRefusedWithTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> run("loop:policy nosuch"));
        assertEquals("Unknown event loop policy 'nosuch' (known: default, selector, proactor)", e.getMessage());
    }

    private String run(String command) throws Exception {
        return Gogo.run(processor, command);
    }
}
