package dev.loopkit.webconsole;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.loopkit.api.EventLoop;
import dev.loopkit.api.EventLoopFactory;
import dev.loopkit.platform.ChoiceStore;
import dev.loopkit.runtime.ProcessWide;
import dev.loopkit.shell.LoopCommands;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.After;
import org.junit.Test;

/**
 * The "Event loops" page with a broken loop factory, and a switch whose save fails: one broken service
 * takes nothing else down, and every POST is answered in JSON, which the page's script reads.
 */
public class LoopsPluginBrokenServicesTest {

    private final EventLoopFactory broken = new EventLoopFactory() {
        @Override
        public String name() {
            return "broken";
        }

        @Override
        public EventLoop newEventLoop() {
            throw new IllegalStateException("no loops here");
        }

        @Override
        public List<EventLoop> liveLoops() {
            throw new IllegalStateException("the broken factory's bundle is stopping");
        }
    };

    @After
    public void cleanUp() {
        ProcessWide.get().loopFactories().unregister(broken);
        new LoopCommands(ChoiceStore.NONE).resetPolicy();
    }

    /** data.json (and the page's first snapshot) must still show the policies and watchers. */
    @Test
    public void aFactoryThatFailsToListItsLoopsDoesNotTakeThePageDown() {
        ProcessWide.get().loopFactories().register(broken, "broken", 0, 999, "test");
        String json = LoopsSnapshot.json(new LoopCommands(ChoiceStore.NONE));
        assertTrue(json, json.contains("\"policies\":"));
    }

    /**
     * ChoiceStore.save documents UncheckedIOException when the configuration cannot be written: the page's
     * script reads every POST answer as JSON, so the plugin must answer {"error": ...}, not let it escape.
     */
    @Test
    public void aSwitchWhoseSaveFailsIsAnsweredInJson() throws Exception {
        ChoiceStore failing = (key, value) -> {
            throw new UncheckedIOException("cannot save configuration dev.loopkit.policy", new IOException("disk full"));
        };
        RequestGuard guard = new RequestGuard();
        LoopsPlugin plugin = new LoopsPlugin(failing, guard);
        String token = guard.token();

        Map<String, String> headers = Map.of(RequestGuard.TOKEN_HEADER, token, "Host", "localhost:8080");
        Map<String, String> params = Map.of("action", "policy", "name", "selector");
        HttpServletRequest request = (HttpServletRequest) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {HttpServletRequest.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getHeader" -> headers.get((String) args[0]);
                    case "getParameter" -> params.get((String) args[0]);
                    case "getScheme" -> "http";
                    case "getMethod" -> "POST";
                    default -> null;
                });
        StringWriter body = new StringWriter();
        PrintWriter writer = new PrintWriter(body);
        Map<String, Object> sent = new HashMap<>();
        HttpServletResponse response = (HttpServletResponse) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {HttpServletResponse.class}, (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "getWriter":
                            return writer;
                        case "setStatus":
                        case "sendError":
                        case "setContentType":
                            sent.put(method.getName(), args[0]);
                            return null;
                        default:
                            return null;
                    }
                });

        plugin.doPost(request, response);

        writer.flush();
        assertEquals("application/json", sent.get("setContentType"));
        assertTrue(body.toString(), body.toString().startsWith("{\"error\":"));
    }
}
