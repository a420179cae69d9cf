package dev.loopkit.api;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import java.util.HashMap;
import java.util.Map;
import org.junit.Test;

/** The environment a child is given, checked where it is given. */
public class SubprocessOptionsTest {

    /** It threw Map.copyOf's NullPointerException, with no message (an outside review); Python: TypeError. */
    @Test
    public void anEnvironmentVariableWithoutAValueIsRefusedByName() {
        Map<String, String> environment = new HashMap<>();
        environment.put("A", null);
        assertEquals("value of environment variable A", assertThrows(NullPointerException.class,
                () -> SubprocessOptions.defaults().withEnv(environment)).getMessage());
        Map<String, String> unnamed = new HashMap<>();
        unnamed.put(null, "x");
        assertEquals("environment variable name", assertThrows(NullPointerException.class,
                () -> SubprocessOptions.defaults().withEnv(unnamed)).getMessage());
    }
}
