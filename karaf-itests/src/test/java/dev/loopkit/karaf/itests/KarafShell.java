package dev.loopkit.karaf.itests;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.PrivilegedActionException;
import java.security.PrivilegedExceptionAction;
import javax.security.auth.Subject;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.auth.login.LoginContext;
import javax.security.auth.login.LoginException;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.api.console.SessionFactory;

/**
 * Runs shell commands in Karaf as a user of its JAAS realm {@code karaf} (etc/users.properties), the
 * way the SSH console does: the user's subject is in force while the command runs, so Karaf's
 * command ACLs apply.
 */
final class KarafShell {

    /** What a command returned and what it printed. */
    record Result(Object value, String printed) {
        /** The returned value as text (a Gogo command's), else what was printed, without its last line's end. */
        String text() {
            return value != null ? value.toString() : printed.stripTrailing();
        }
    }

    private final SessionFactory sessions;
    private final Subject subject;

    private KarafShell(SessionFactory sessions, Subject subject) {
        this.sessions = sessions;
        this.subject = subject;
    }

    /** Logs {@code user} in to realm {@code karaf}. */
    static KarafShell login(SessionFactory sessions, String user, String password) throws LoginException {
        Subject subject = new Subject();
        LoginContext login = new LoginContext("karaf", subject, callbacks -> {
            for (Callback callback : callbacks) {
                if (callback instanceof NameCallback name) {
                    name.setName(user);
                } else if (callback instanceof PasswordCallback secret) {
                    secret.setPassword(password.toCharArray());
                } else {
                    throw new UnsupportedCallbackException(callback);
                }
            }
        });
        login.login();
        return new KarafShell(sessions, subject);
    }

    Subject subject() {
        return subject;
    }

    /** Runs {@code command} in a new session; what the command throws is thrown. */
    Result run(String command) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
        Session session = sessions.create(new ByteArrayInputStream(new byte[0]), print, print);
        try {
            Object value = Subject.doAs(subject, (PrivilegedExceptionAction<Object>) () -> session.execute(command));
            print.flush();
            return new Result(value, out.toString(StandardCharsets.UTF_8));
        } catch (PrivilegedActionException e) {
            throw e.getException();
        } finally {
            session.close();
        }
    }

    /**
     * Whether Karaf's shell answers {@code command} as it answers a command the user may not see at
     * all (no role of theirs for it in the command ACL).
     */
    boolean refusedAsUnknown(String command) {
        try {
            run(command);
            return false;
        } catch (Exception e) {
            return e.getClass().getSimpleName().equals("CommandNotFoundException");
        }
    }

    /** {@link #run}'s text. */
    String text(String command) throws Exception {
        return run(command).text();
    }
}
