package dev.loopkit.karaf;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import dev.loopkit.platform.ChoiceStore;
import dev.loopkit.runtime.ProcessWide;
import java.util.ArrayList;
import java.util.List;
import org.apache.karaf.shell.api.console.CommandLine;
import org.junit.After;
import org.junit.Test;

/**
 * The Karaf actions print what the shared command logic says (trailing newline trimmed: the console
 * adds its own), and the completers offer the registry's names. Outside Karaf: the policies come from
 * ServiceLoader, fields are set as Karaf's injection would.
 */
public class KarafActionsTest {

    private final List<String> saved = new ArrayList<>();
    private final ChoiceStore store = (key, value) -> {
        saved.add(key + "=" + value);
        return "";
    };

    @After
    public void forgetChoices() {
        ProcessWide.get().policies().setConfigured(null);
    }

    @Test
    public void policyShowsThenSwitchesThenResetReturnsToTheRanking() {
        assertEquals("process-wide: default (ranked: highest service.ranking)", run(new PolicyAction()));
        PolicyAction switchTo = new PolicyAction();
        switchTo.name = "proactor";
        assertEquals("process-wide: proactor (configured: configuration dev.loopkit.policy)", run(switchTo));
        assertEquals("process-wide: default (ranked: highest service.ranking)", run(new ResetPolicyAction()));
        assertEquals(List.of("policy=proactor", "policy=null"), saved);
    }

    @Test
    public void policiesEndsWithTheStatusLine() {
        String out = run(new PoliciesAction());
        assertEquals(out, "process-wide: default (ranked: highest service.ranking)", out.lines().reduce((a, b) -> b).orElseThrow());
    }

    @Test
    public void anUnknownPolicyIsRefusedWithTheKnownOnes() {
        PolicyAction action = new PolicyAction();
        action.name = "nosuch";
        action.store = store;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, action::execute);
        assertEquals("Unknown event loop policy 'nosuch' (known: default, selector, proactor)", e.getMessage());
    }

    @Test
    public void policyNamesCompleteFromThePrefix() {
        List<String> candidates = new ArrayList<>();
        new PolicyNameCompleter().complete(null, argument("pro"), candidates);
        assertEquals(List.of("proactor"), candidates.stream().map(String::strip).toList());
        candidates.clear();
        new PolicyNameCompleter().complete(null, argument(""), candidates);
        assertEquals(List.of("default", "proactor", "selector"), candidates.stream().map(String::strip).sorted().toList());
    }

    private String run(LoopAction action) {
        action.store = store;
        return (String) action.execute();
    }

    private static CommandLine argument(String typed) {
        return new CommandLine() {
            @Override
            public int getCursorArgumentIndex() {
                return 1;
            }

            @Override
            public String getCursorArgument() {
                return typed;
            }

            @Override
            public int getArgumentPosition() {
                return typed.length();
            }

            @Override
            public String[] getArguments() {
                return new String[] {"loop:policy", typed};
            }

            @Override
            public int getBufferPosition() {
                return getBuffer().length();
            }

            @Override
            public String getBuffer() {
                return "loop:policy " + typed;
            }
        };
    }
}
