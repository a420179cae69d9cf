package dev.loopkit.shell.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import dev.loopkit.platform.ChoiceStore;
import dev.loopkit.shell.PlatformStop;
import java.lang.reflect.Proxy;
import org.apache.felix.service.command.CommandSession;
import org.junit.Test;

/**
 * What Gogo hands {@code loop:run} for a variable that is not set: {@code null} for it, and for the
 * first argument {@code null} in the session's place (Gogo matches it there). Both printed a bare
 * NullPointerException before (an outside review of the admin surface), one naming Gogo's session.
 */
public class LoopsCommandsTest {

    private final LoopsCommands commands = new LoopsCommands(ChoiceStore.NONE, PlatformStop.NEVER);

    @Test
    public void anUnsetVariableAsAnArgumentSaysWhich() {
        CommandSession session = (CommandSession) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {CommandSession.class}, (proxy, method, args) -> method.getName().equals("getConsole") ? System.out : null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> commands.run(session, "/bin/echo", null));
        assertEquals("loop:run got no value for argument 1 (an unset variable?): [/bin/echo, null]", e.getMessage());
    }

    @Test
    public void anUnsetVariableAsTheProgramSaysSo() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> commands.run(null));
        assertEquals("loop:run got no value for the program (an unset variable?)", e.getMessage());
    }
}
