package dev.loopkit.karaf.itests;

import static org.ops4j.pax.exam.CoreOptions.maven;
import static org.ops4j.pax.exam.CoreOptions.vmOption;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.configureConsole;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFileExtend;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.features;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.karafDistributionConfiguration;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.keepRuntimeFolder;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.logLevel;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.karaf.options.LogLevelOption.LogLevel;

/** The Pax Exam options every Karaf test starts from: see the pom for what is fetched ahead. */
final class KarafOptions {

    private static final String PAX_URL_MVN = "etc/org.ops4j.pax.url.mvn.cfg";
    private static final String USERS = "etc/users.properties";

    private KarafOptions() {
    }

    /**
     * Karaf {@code loopkit.karaf.version} from the local repository, offline, with Loopkit's feature
     * repository and {@code features} installed at boot, users admin, manager and viewer (password =
     * name) and {@code extra} options.
     */
    static Option[] loopkit(String features, Option... extra) {
        KarafProcesses.stopLeftoversOnExit();
        String karaf = System.getProperty("loopkit.karaf.version");
        String version = System.getProperty("loopkit.version");
        String loopkitRepository = new File(System.getProperty("loopkit.repository")).toURI().toString();
        List<Option> options = new ArrayList<>(List.of(
                karafDistributionConfiguration()
                        .frameworkUrl(maven("org.apache.karaf", "apache-karaf", karaf).type("tar.gz"))
                        .karafVersion(karaf)
                        .name("Apache Karaf")
                        .unpackDirectory(new File(System.getProperty("loopkit.karaf.runtime")))
                        .useDeployFolder(false),
                configureConsole().ignoreLocalConsole().ignoreRemoteShell(),
                logLevel(LogLevel.WARN),
                // Karaf's own Maven resolution: offline, from the local repository (what the build fetched)
                // and from Loopkit's repository in target/ beside Karaf's system/ folder
                editConfigurationFilePut(PAX_URL_MVN, "org.ops4j.pax.url.mvn.localRepository",
                        System.getProperty("org.ops4j.pax.url.mvn.localRepository")),
                editConfigurationFilePut(PAX_URL_MVN, "org.ops4j.pax.url.mvn.offline", "true"),
                // "central" is never contacted offline; naming it lets artifacts Maven fetched from it count
                editConfigurationFilePut(PAX_URL_MVN, "org.ops4j.pax.url.mvn.repositories",
                        "https://repo1.maven.org/maven2@id=central"),
                editConfigurationFileExtend(PAX_URL_MVN, "org.ops4j.pax.url.mvn.defaultRepositories",
                        loopkitRepository + "@id=loopkit@snapshots"),
                // users of realm karaf: user = password, roles
                editConfigurationFilePut(USERS, "admin", "admin,admin,manager,viewer,ssh"),
                editConfigurationFilePut(USERS, "viewer", "viewer,viewer,ssh"),
                editConfigurationFilePut(USERS, "manager", "manager,manager,viewer,ssh"),
                features("mvn:dev.loopkit/karaf-features/" + version + "/xml/features", features.split(","))));
        // as bin/karaf starts Karaf on Java 9 and later
        for (String option : List.of(
                "--add-reads=java.xml=java.logging",
                "--add-exports=java.base/org.apache.karaf.specs.locator=java.xml,ALL-UNNAMED",
                "--patch-module", "java.base=lib/endorsed/org.apache.karaf.specs.locator-" + karaf + ".jar",
                "--patch-module", "java.xml=lib/endorsed/org.apache.karaf.specs.java.xml-" + karaf + ".jar",
                "--add-opens", "java.base/java.security=ALL-UNNAMED",
                "--add-opens", "java.base/java.net=ALL-UNNAMED",
                "--add-opens", "java.base/java.lang=ALL-UNNAMED",
                "--add-opens", "java.base/java.util=ALL-UNNAMED",
                "--add-opens", "java.naming/javax.naming.spi=ALL-UNNAMED",
                "--add-opens", "java.rmi/sun.rmi.transport.tcp=ALL-UNNAMED",
                "--add-exports=java.base/sun.net.www.protocol.file=ALL-UNNAMED",
                "--add-exports=java.base/sun.net.www.protocol.jar=ALL-UNNAMED",
                "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED")) {
            options.add(vmOption(option));
        }
        if (Boolean.getBoolean("loopkit.karaf.keep")) {
            options.add(keepRuntimeFolder());
        }
        options.addAll(List.of(extra));
        return options.toArray(Option[]::new);
    }
}
