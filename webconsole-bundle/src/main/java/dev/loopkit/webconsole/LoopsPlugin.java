package dev.loopkit.webconsole;

import dev.loopkit.platform.ChoiceStore;
import dev.loopkit.shell.LoopCommands;
import jakarta.servlet.Servlet;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import org.apache.felix.webconsole.servlet.AbstractServlet;
import org.apache.felix.webconsole.servlet.ServletConstants;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The Web Console page "Event loops" ({@value #LABEL}): the tables of {@code loop:policies},
 * {@code loop:watchers}, {@code loop:loops} and {@code loop:children}, refreshed by the page itself
 * from {@code <page>/}{@value #DATA}, and buttons that switch or reset the policy and the watcher
 * through {@link LoopCommands}, which saves the choice as {@code loop:policy} and {@code loop:watcher}
 * do. The console authenticates every request to it (GET and POST); changes are POST only and guarded
 * by {@link RequestGuard} against other sites.
 */
@Component(service = Servlet.class, property = {
    ServletConstants.PLUGIN_LABEL + "=" + LoopsPlugin.LABEL,
    ServletConstants.PLUGIN_TITLE + "=Event loops",
    ServletConstants.PLUGIN_CATEGORY + "=Loopkit"})
public final class LoopsPlugin extends AbstractServlet {

    private static final long serialVersionUID = 1L;

    /** The page's label: its address is {@code /system/console/loops}. */
    static final String LABEL = "loops";
    /** The snapshot the page refreshes its tables from. */
    static final String DATA = "data.json";

    /** The data file that keeps the token of the page's changes ({@link RequestGuard#keptIn}). */
    static final String TOKEN_FILE = "change-token";

    private final transient LoopCommands commands;
    private final transient RequestGuard guard;

    @Activate
    public LoopsPlugin(@Reference ChoiceStore store, BundleContext context) {
        this(store, RequestGuard.keptIn(context.getDataFile(TOKEN_FILE)));
    }

    LoopsPlugin(ChoiceStore store, RequestGuard guard) {
        this.commands = new LoopCommands(store);
        this.guard = guard;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws ServletException, IOException {
        if (request.getPathInfo() != null && request.getPathInfo().endsWith("/" + DATA)) {
            setNoCache(response);
            send(response, HttpServletResponse.SC_OK, LoopsSnapshot.json(commands));
        } else {
            super.doGet(request, response); // the script under res/; else the console renders the page
        }
    }

    @Override
    public void renderContent(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Object root = request.getAttribute(ServletConstants.ATTR_PLUGIN_ROOT);
        new LoopsPage(String.valueOf(root), guard.token(), LoopsSnapshot.json(commands)).write(response.getWriter());
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String refusal = guard.refusal(request.getHeader(RequestGuard.TOKEN_HEADER), request.getHeader("Origin"),
                RequestGuard.ownOrigin(request));
        if (refusal != null) {
            send(response, HttpServletResponse.SC_FORBIDDEN, message("error", refusal));
            return;
        }
        try {
            String status = act(request.getParameter("action"), request.getParameter("name"));
            send(response, HttpServletResponse.SC_OK, message("status", status.strip()));
        } catch (IllegalArgumentException e) {
            send(response, HttpServletResponse.SC_BAD_REQUEST, message("error", e.getMessage()));
        } catch (RuntimeException e) {
            // a choice that cannot be saved (ConfigAdmin), a service that fails: the page's script reads
            // every answer as JSON, and an HTML error page told the admin only that it could not parse it
            send(response, HttpServletResponse.SC_INTERNAL_SERVER_ERROR, message("error", String.valueOf(e.getMessage())));
        }
    }

    // The same calls as the loop: commands and the JMX operations make: one code path saves a choice.
    private String act(String action, String name) {
        return switch (action == null ? "" : action) {
            case "policy" -> commands.policy(name);
            case "watcher" -> commands.watcher(name);
            case "reset-policy" -> commands.resetPolicy();
            case "reset-watcher" -> commands.resetWatcher();
            default -> throw new IllegalArgumentException((action == null ? "No action given" : "Unknown action '" + action + "'")
                    + " (known: policy, watcher, reset-policy, reset-watcher)");
        };
    }

    private static String message(String key, String text) {
        return new Json().begin().key(key).value(text).end().toString();
    }

    private static void send(HttpServletResponse response, int status, String json) throws IOException {
        response.setStatus(status);
        response.setContentType("application/json");
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        PrintWriter writer = response.getWriter();
        writer.write(json);
        writer.flush();
    }
}
