package dev.loopkit.platform.internal;

import dev.loopkit.platform.PlatformConfiguration;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.Collections;
import java.util.Dictionary;
import java.util.Map;
import java.util.TreeMap;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.cm.ConfigurationEvent;
import org.osgi.service.cm.SynchronousConfigurationListener;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * Writes configuration {@value PlatformConfiguration#PID} back into the {@code .cfg} file it came
 * from, where FileInstall reads configurations but does not write them (the distribution sets
 * {@value #ENABLE_CONFIG_SAVE}{@code =false}): a choice made by {@code loop:policy}, a Web Console
 * button, JMX or the configuration editor lands in {@code conf/dev.loopkit.policy.cfg}, and survives
 * the restart that reads that file again.
 *
 * <p>Why not FileInstall's own write-back: it rewrites the file in place (truncate, then write) on
 * ConfigAdmin's event thread, while its directory scanner may read the same file. At start-up with
 * {@code noInitialDelay} the scan after the initial one read the file its own write-back had just
 * truncated: the configuration was emptied, then written back empty, and the admin's edit was gone
 * (every run of {@code DistributionIT.aConfFileEditedWhileThePlatformIsDownAppliesAndKeepsItsText}
 * before this class, 2 of 8 restarts by hand). Here the file is written whole beside itself and
 * renamed over it, so a reader sees the old text or the new; an update FileInstall made from the file
 * is not written back at all (the file is its source); and a file that already says what the
 * configuration holds is left untouched, comments and layout included.
 *
 * <p>Where FileInstall writes back (Karaf keeps its default), this does nothing: two writers of one
 * file would race again.
 */
@Component(immediate = true, service = SynchronousConfigurationListener.class)
public final class CfgFileWriteBack implements SynchronousConfigurationListener {

    /** FileInstall's switch for its write-back (on unless {@code false}). */
    static final String ENABLE_CONFIG_SAVE = "felix.fileinstall.enableConfigSave";
    /** Its older name, read when the new one is not set. */
    static final String DISABLE_CONFIG_SAVE = "felix.fileinstall.disableConfigSave";
    /** The property FileInstall puts in a configuration it made from a file: that file's URI. */
    static final String FILENAME = "felix.fileinstall.filename";
    /** The encoding FileInstall reads {@code .cfg} files in. */
    static final String CONFIG_ENCODING = "felix.fileinstall.configEncoding";
    private static final System.Logger LOG = System.getLogger("dev.loopkit.platform");

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile ConfigurationAdmin configurationAdmin;

    private boolean writesBack;
    private Charset encoding = StandardCharsets.ISO_8859_1;
    /**
     * The file the configuration came from, as last named: a deleted configuration no longer names it,
     * nor one the Web Console's configuration editor saved (it keeps only the properties it shows).
     */
    private Path file;

    @Activate
    void activate(BundleContext context) {
        String save = context.getProperty(ENABLE_CONFIG_SAVE);
        if (save == null) {
            save = context.getProperty(DISABLE_CONFIG_SAVE); // FileInstall reads it the same way round
        }
        writesBack = "false".equalsIgnoreCase(save);
        String configured = context.getProperty(CONFIG_ENCODING);
        if (configured != null) {
            encoding = Charset.forName(configured);
        }
        try {
            Dictionary<String, Object> properties = currentProperties();
            file = properties == null ? null : fileOf(properties.get(FILENAME));
            if (writesBack && file != null && !Files.exists(file)) {
                deleteWithItsFile();
            }
        } catch (IOException e) {
            file = null; // learnt from the next update
        }
    }

    /**
     * The configuration FileInstall made from a file that is gone: deleted while the platform was down,
     * where FileInstall, which deletes the configuration of a file deleted while it runs, could not see
     * it. Deleted here as FileInstall would have, so that the choice the admin removed with the file no
     * longer applies; it stayed in the platform's data and applied with no file left to edit (an outside
     * review; DistributionIT.aConfFileDeletedWhileThePlatformIsDownNoLongerApplies).
     */
    private void deleteWithItsFile() throws IOException {
        LOG.log(Level.INFO, "configuration " + PlatformConfiguration.PID + " came from " + file
                + ", deleted while the platform was down: the configuration is deleted with it");
        file = null;
        ConfigurationAdmin admin = configurationAdmin;
        if (admin != null) {
            admin.getConfiguration(PlatformConfiguration.PID, "?").delete();
        }
    }

    @Override
    public synchronized void configurationEvent(ConfigurationEvent event) {
        if (!writesBack || !PlatformConfiguration.PID.equals(event.getPid())) {
            return;
        }
        boolean fromTheFile = madeByFileInstall();
        try {
            if (event.getType() == ConfigurationEvent.CM_UPDATED) {
                Dictionary<String, Object> properties = currentProperties();
                Path named = properties == null ? null : fileOf(properties.get(FILENAME));
                if (named != null) {
                    file = named;
                } // else the Web Console's editor left the file's name out of its update: the file is the same
                if (properties != null && !fromTheFile && file != null && Files.isRegularFile(file)) {
                    writeIfChanged(file, values(properties), encoding);
                }
            } else if (event.getType() == ConfigurationEvent.CM_DELETED) {
                Path deleted = file;
                file = null;
                if (!fromTheFile && deleted != null) {
                    Files.deleteIfExists(deleted); // as FileInstall's write-back does: the file would bring it back
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "cannot write configuration " + PlatformConfiguration.PID + " back into " + file + ": " + e, e);
        }
    }

    /**
     * Makes {@code file} hold {@code values} (its other lines kept), unless it already does: the new
     * text is written beside it and renamed over it, so that no reader ever sees it half written. A file
     * that is a link is written where the link points, so the link stays one (a shared file, a
     * Kubernetes ConfigMap's mount); the file keeps its permissions, and its owner and group where this
     * process may give them.
     *
     * @return whether the file was written
     */
    static boolean writeIfChanged(Path named, Map<String, String> values, Charset encoding) throws IOException {
        Path file = named.toRealPath();
        String text = Files.readString(file, encoding);
        if (CfgFileText.values(text).equals(values)) {
            return false;
        }
        Path temporary = Files.createTempFile(file.getParent(), "." + file.getFileName(), ".tmp");
        try {
            Files.writeString(temporary, CfgFileText.withValues(text, values), encoding);
            keepAttributes(file, temporary);
            try {
                Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temporary);
        }
        return true;
    }

    private static void keepAttributes(Path file, Path temporary) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class);
        if (view == null) {
            return; // not POSIX: the temporary file's own attributes then
        }
        PosixFileAttributes was = view.readAttributes();
        PosixFileAttributeView copy = Files.getFileAttributeView(temporary, PosixFileAttributeView.class);
        copy.setPermissions(was.permissions());
        try {
            copy.setGroup(was.group());
            copy.setOwner(was.owner());
        } catch (IOException notPermitted) {
            // only root may give a file away: this process's own then, as any editor that renames leaves it
        }
    }

    // The configuration's own properties, as strings: what the file's lines say.
    private static Map<String, String> values(Dictionary<String, Object> properties) {
        Map<String, String> values = new TreeMap<>();
        for (String key : Collections.list(properties.keys())) {
            if (!key.equals(Constants.SERVICE_PID) && !key.equals(ConfigurationAdmin.SERVICE_FACTORYPID) && !key.equals(FILENAME)) {
                values.put(key, String.valueOf(properties.get(key)));
            }
        }
        return values;
    }

    private Dictionary<String, Object> currentProperties() throws IOException {
        ConfigurationAdmin admin = configurationAdmin;
        if (admin == null) {
            return null;
        }
        try {
            Configuration[] found = admin.listConfigurations("(" + Constants.SERVICE_PID + "=" + PlatformConfiguration.PID + ")");
            return found == null ? null : found[0].getProperties();
        } catch (InvalidSyntaxException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    // FileInstall names the file by its URI; a plain path is taken too, as FileInstall takes it.
    static Path fileOf(Object name) {
        if (!(name instanceof String text)) {
            return null;
        }
        return text.startsWith("file:") ? Path.of(URI.create(text)) : Path.of(text);
    }

    // The update was made by FileInstall from the file (its scanner, or its initial scan on the thread
    // that started it): the file is where it came from, and nothing is to be written.
    private static boolean madeByFileInstall() {
        return StackWalker.getInstance().walk(frames -> frames.anyMatch(
                frame -> frame.getClassName().startsWith("org.apache.felix.fileinstall.")));
    }
}
