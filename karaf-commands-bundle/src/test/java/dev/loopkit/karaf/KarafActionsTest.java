package dev.loopkit.karaf;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.loopkit.platform.ChoiceStore;
import dev.loopkit.runtime.ProcessWide;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.karaf.shell.api.console.CommandLine;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
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

    /** Whether configuration {@value CommandsAction#ACL} is there, as Karaf's File Install puts it. */
    private boolean aclThere = true;
    private final ConfigurationAdmin configurations = (ConfigurationAdmin) Proxy.newProxyInstance(
            getClass().getClassLoader(), new Class<?>[] {ConfigurationAdmin.class}, (proxy, method, args) -> {
                if (method.getName().equals("listConfigurations")) {
                    return aclThere && args[0].equals("(service.pid=" + CommandsAction.ACL + ")") ? new Configuration[1] : null;
                }
                throw new UnsupportedOperationException(method.getName());
            });

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
    public void policiesIsDrawnAsKarafsTablesAreAndEndsWithTheStatusLine() {
        List<String> lines = printed(new PoliciesAction(), false).lines().toList();
        assertEquals(String.join("\n", lines), 6, lines.size());
        assertTrue(lines.get(0), lines.get(0).matches(" *\\| NAME +\\| RANKING \\| BUNDLE +\\| CLASS"));
        assertTrue(lines.get(1), lines.get(1).matches("-+(\\+-+)+"));
        assertTrue(lines.get(2), lines.get(2).matches("\\* \\| default +\\| 100 +\\| .*DefaultEventLoopPolicy"));
        assertEquals("process-wide: default (ranked: highest service.ranking)", lines.get(5));
    }

    // Karaf's convention for scripts: the rows alone, tab-separated, no titles, borders or status line
    @Test
    public void noFormatPrintsTheRowsAloneSeparatedByTabs() {
        List<List<String>> rows = printed(new PoliciesAction(), true).lines()
                .map(line -> Arrays.stream(line.split("\t", -1)).map(String::strip).toList()).toList();
        assertEquals(List.of("default", "selector", "proactor"), rows.stream().map(cells -> cells.get(1)).toList());
        assertEquals(List.of("*", "", ""), rows.stream().map(cells -> cells.get(0)).toList());
        assertEquals(List.of("100", "50", "10"), rows.stream().map(cells -> cells.get(2)).toList());
        assertTrue(rows.toString(), rows.stream().allMatch(cells -> cells.size() == 4 + 1 && !cells.contains("|")));
        WatchersAction watchers = new WatchersAction();
        assertTrue("no status line", printed(watchers, true).lines().noneMatch(line -> line.startsWith("process-wide")));
        assertTrue("no count", printed(new LoopsAction(), true).lines().noneMatch(line -> line.endsWith("live loops")));
    }

    private String printed(ListingAction action, boolean noFormat) {
        action.store = store;
        action.configurations = configurations;
        action.noFormat = noFormat;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        action.print(action.listing(action.commands()), new PrintStream(out, true, StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    public void anUnknownPolicyIsRefusedWithTheKnownOnes() {
        PolicyAction action = new PolicyAction();
        action.name = "nosuch";
        action.store = store;
        action.configurations = configurations;
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

    /**
     * Without their access list Karaf lets everyone run the commands (during a first feature:install, or
     * once the configuration was deleted): nobody may then (an outside review; KarafFeatureIT too).
     */
    @Test
    public void withoutTheirAccessListTheCommandsRefuse() {
        aclThere = false;
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> run(new PolicyAction()));
        assertTrue(refused.getMessage(), refused.getMessage().startsWith("The loop: commands' access list, configuration "
                + CommandsAction.ACL + ", is missing: nobody may run them until it is back (config:install mvn:dev.loopkit/karaf-features/"));
        assertEquals("nothing was switched", List.of(), saved);
    }

    // What the action printed (Karaf's console and its one-command mode print nothing an action returns).
    private String run(LoopAction action) {
        action.store = store;
        action.configurations = configurations;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream console = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            assertEquals("returned", null, action.execute());
        } finally {
            System.setOut(console);
        }
        return out.toString(StandardCharsets.UTF_8).stripTrailing();
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
