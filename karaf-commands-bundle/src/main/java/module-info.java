/**
 * The {@code loop:} commands in Apache Karaf's shell: actions that parse arguments and print what
 * {@code dev.loopkit.shell.LoopCommands} says, and completers of policy and watcher names;
 * and the component that keeps Loopkit's configuration admin-only in Karaf's config ACL.
 * Karaf finds them through the bundle's {@code Karaf-Commands} header; the module is for JPMS tools
 * only (Karaf's shell is no named module: its jar's automatic name is used, at compile time only).
 */
module dev.loopkit.karaf {
    requires dev.loopkit.shell;
    requires static org.apache.karaf.shell.core;
    requires static osgi.core;
    requires static org.osgi.service.cm;
    requires static org.osgi.service.component.annotations;

    // Karaf instantiates the actions and completers and injects their fields reflectively.
    opens dev.loopkit.karaf;
}
