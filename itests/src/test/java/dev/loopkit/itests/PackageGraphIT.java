package dev.loopkit.itests;

import static org.junit.Assert.assertEquals;

import java.io.File;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * The layering of the shipped bundles, as the JDK's {@code jdeps} reads it from their classes: no
 * cycle between Loopkit's modules, none between its packages, and the contract ({@code dev.loopkit.api})
 * depending on nothing else of Loopkit. The module graph is written to
 * {@code target/package-graph.txt}; docs/ARCHITECTURE.md shows it.
 */
public class PackageGraphIT {

    /**
     * A line that starts a module's part, at the start of the line: its name alone, or its name and a
     * module it uses (an unnamed jar has only those). Not only Loopkit's: package edges follow it.
     */
    private static final Pattern MODULE = Pattern.compile("^(\\S+)(?: -> \\S+)?$");
    private static final Pattern EDGE = Pattern.compile("^\\s+(dev\\.loopkit\\.\\S+)\\s+->\\s+(dev\\.loopkit\\.\\S+)\\s+(\\S+)\\s*$");

    /** package -> the packages of Loopkit it uses, every package of every Loopkit module included. */
    private static final Map<String, Set<String>> PACKAGES = new TreeMap<>();
    /** module -> the other Loopkit modules its classes use. */
    private static final Map<String, Set<String>> MODULES = new TreeMap<>();
    private static final Map<String, String> MODULE_OF = new TreeMap<>();

    @BeforeClass
    public static void readTheShippedJars() throws IOException {
        List<String> args = new ArrayList<>(List.of("--ignore-missing-deps", "-verbose:package", "--multi-release", "17",
                "-e", "dev\\.loopkit\\..*", "--module-path", Distribution.home().resolve("bundle").toString()));
        for (File jar : Distribution.bundles()) {
            if (isLoopkitBundle(jar)) {
                args.add(jar.toString());
            }
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = ToolProvider.findFirst("jdeps").orElseThrow()
                .run(new PrintWriter(out), new PrintWriter(err), args.toArray(String[]::new));
        assertEquals("jdeps " + args + "\n" + err, 0, status);
        String module = null;
        for (String line : out.toString().lines().toList()) {
            Matcher header = MODULE.matcher(line);
            Matcher edge = EDGE.matcher(line);
            if (header.matches()) {
                module = header.group(1);
            } else if (edge.matches() && module != null && module.startsWith("dev.loopkit.")) {
                String from = edge.group(1);
                String to = edge.group(2);
                MODULE_OF.put(from, module);
                MODULE_OF.put(to, edge.group(3));
                PACKAGES.computeIfAbsent(from, p -> new TreeSet<>()).add(to);
                PACKAGES.computeIfAbsent(to, p -> new TreeSet<>());
                if (!edge.group(3).equals(module)) {
                    MODULES.computeIfAbsent(module, m -> new TreeSet<>()).add(edge.group(3));
                }
                MODULES.computeIfAbsent(edge.group(3), m -> new TreeSet<>());
            }
        }
        PACKAGES.forEach((from, uses) -> uses.remove(from));
        StringBuilder report = new StringBuilder();
        MODULES.forEach((from, uses) -> report.append(from).append(" -> ").append(uses.isEmpty() ? "(nothing of Loopkit)" : String.join(", ", uses)).append('\n'));
        Path target = Path.of("target");
        Files.createDirectories(target);
        Files.writeString(target.resolve("package-graph.txt"), report);
        System.out.print("PackageGraphIT: Loopkit's modules and the Loopkit modules they use\n" + report);
    }

    /** Loopkit runs on the plain module path: each of its bundles is a named module. */
    @Test
    public void everyLoopkitBundleIsANamedModule() {
        List<String> unnamed = Distribution.bundles().stream().filter(PackageGraphIT::isLoopkitBundle)
                .filter(jar -> !hasModuleInfo(jar)).map(File::getName).toList();
        assertEquals(List.of(), unnamed);
    }

    @Test
    public void theContractUsesNothingElseOfLoopkit() {
        assertEquals(Set.of(), MODULES.getOrDefault("dev.loopkit.api", Set.of("dev.loopkit.api not found")));
    }

    @Test
    public void noCycleBetweenModules() {
        assertEquals("modules that use each other", List.of(), cycles(MODULES));
    }

    @Test
    public void noCycleBetweenPackages() {
        assertEquals("packages that use each other", List.of(), cycles(PACKAGES));
    }

    /** The strongly connected components of more than one node (Tarjan), each sorted. */
    private static List<Set<String>> cycles(Map<String, Set<String>> graph) {
        return new Tarjan(graph).components.stream().filter(c -> c.size() > 1).toList();
    }

    private static boolean isLoopkitBundle(File jar) {
        try (JarFile file = new JarFile(jar)) {
            String name = file.getManifest().getMainAttributes().getValue("Bundle-SymbolicName");
            return name != null && name.startsWith("dev.loopkit.");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean hasModuleInfo(File jar) {
        try (JarFile file = new JarFile(jar)) {
            return file.getEntry("module-info.class") != null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final class Tarjan {
        final List<Set<String>> components = new ArrayList<>();
        private final Map<String, Set<String>> graph;
        private final Map<String, Integer> index = new TreeMap<>();
        private final Map<String, Integer> low = new TreeMap<>();
        private final List<String> stack = new ArrayList<>();
        private final Set<String> onStack = new TreeSet<>();

        Tarjan(Map<String, Set<String>> graph) {
            this.graph = graph;
            graph.keySet().forEach(node -> {
                if (!index.containsKey(node)) {
                    visit(node);
                }
            });
        }

        private void visit(String node) {
            index.put(node, index.size());
            low.put(node, index.get(node));
            stack.add(node);
            onStack.add(node);
            for (String next : graph.getOrDefault(node, Set.of())) {
                if (!index.containsKey(next)) {
                    visit(next);
                    low.put(node, Math.min(low.get(node), low.get(next)));
                } else if (onStack.contains(next)) {
                    low.put(node, Math.min(low.get(node), index.get(next)));
                }
            }
            if (low.get(node).equals(index.get(node))) {
                Set<String> component = new TreeSet<>();
                String member;
                do {
                    member = stack.remove(stack.size() - 1);
                    onStack.remove(member);
                    component.add(member);
                } while (!member.equals(node));
                components.add(component);
            }
        }
    }
}
