package dev.loopkit.policy.shell;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.loopkit.api.Asyncio;
import dev.loopkit.api.spi.Registries;
import dev.loopkit.policy.ProactorEventLoopPolicy;
import java.util.ArrayList;
import java.util.List;
import org.junit.After;
import org.junit.Test;

/**
 * The text of the {@code loop:} commands, outside OSGi (the policies come from ServiceLoader,
 * named by their class's {@code @LoopkitName}); the shells only print it.
 */
public class LoopCommandsTest {

    private final List<String> saved = new ArrayList<>();
    private final LoopCommands commands = new LoopCommands((key, value) -> {
        saved.add(key + "=" + value);
        return "";
    });

    @After
    public void forgetChoices() {
        Registries.policies().setConfigured(null);
        Asyncio.setEventLoopPolicy(null);
    }

    @Test
    public void policiesIsTheRankedTableThenTheStatusLine() {
        String out = commands.policies();
        List<String> lines = out.lines().toList();
        assertTrue(out, lines.get(0).matches("   NAME +RANKING +BUNDLE +CLASS"));
        assertTrue(out, lines.get(1).matches("\\* +default +100 .*dev\\.loopkit\\.policy\\.DefaultEventLoopPolicy"));
        assertTrue(out, lines.get(3).matches(" +proactor +10 .*dev\\.loopkit\\.policy\\.ProactorEventLoopPolicy"));
        assertEquals("process-wide: default (ranked: highest service.ranking)", lines.get(4));
    }

    @Test
    public void policyWithANameConfiguresItAtOnceAndSavesIt() {
        String out = commands.policy("proactor");
        assertEquals("process-wide: proactor (configured: configuration dev.loopkit.policy)\n", out);
        assertEquals(List.of("policy=proactor"), saved);
        assertEquals(ProactorEventLoopPolicy.class, Registries.policies().current().getClass());
        assertEquals("process-wide: proactor (configured: configuration dev.loopkit.policy)", commands.policy());
    }

    @Test
    public void anExplicitPolicyOverridesTheConfiguredOneAndResetClearsBoth() {
        commands.policy("selector");
        Asyncio.setEventLoopPolicy(new ProactorEventLoopPolicy());
        assertEquals("process-wide: dev.loopkit.policy.ProactorEventLoopPolicy (explicit: set by Asyncio.setEventLoopPolicy;"
                + " loop:reset-policy clears it); configured 'selector' is overridden", commands.policy());
        assertEquals("process-wide: default (ranked: highest service.ranking)\n", commands.resetPolicy());
        assertEquals(List.of("policy=selector", "policy=null"), saved);
    }

    @Test
    public void anUnknownNameIsRefusedWithTheKnownOnesAndNothingIsSaved() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> commands.policy("nosuch"));
        assertEquals("Unknown event loop policy 'nosuch' (known: default, selector, proactor)", e.getMessage());
        assertEquals(List.of(), saved);
    }

    @Test
    public void withoutConfigAdminTheChoiceAppliesButTheNoteSaysItIsNotSaved() {
        String out = new LoopCommands(ChoiceStore.NONE).policy("selector");
        assertEquals("process-wide: selector (configured: configuration dev.loopkit.policy)"
                + " (not saved: ConfigurationAdmin is not installed)\n", out);
    }

    @Test
    public void namesAreWhatAShellCompletes() {
        assertEquals(List.of("default", "selector", "proactor"), LoopCommands.names(Registries.policies()));
    }
}
