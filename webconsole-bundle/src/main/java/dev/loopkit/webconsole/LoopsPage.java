package dev.loopkit.webconsole;

import java.io.PrintWriter;

/**
 * The page's HTML inside the Web Console's frame: empty tables, the first snapshot as JSON and the
 * script ({@code res/loops.js}) that fills the tables from it, refreshes them and sends the buttons'
 * changes. One renderer, the script, for the first view and every refresh.
 *
 * @param pluginRoot the page's address ({@code /system/console/loops})
 * @param token what a change must carry ({@link RequestGuard})
 * @param snapshot the first snapshot ({@link LoopsSnapshot})
 */
record LoopsPage(String pluginRoot, String token, String snapshot) {

    void write(PrintWriter out) {
        out.println("<div id='loopkit' data-root='" + attribute(pluginRoot) + "' data-token='" + attribute(token) + "'>");
        out.println("<p class='statline' id='loopkit-message'>Refreshed every 2 seconds.</p>");
        section(out, "policies", "Event loop policies",
                "<button type='button' id='loopkit-reset-policy' data-action='reset-policy'>Reset policy</button>");
        section(out, "watchers", "Child watchers",
                "<button type='button' id='loopkit-reset-watcher' data-action='reset-watcher'>Reset watcher</button>");
        section(out, "loops", "Live loops", "");
        section(out, "children", "Children per watcher", "");
        out.println("</div>");
        out.println("<script type='application/json' id='loopkit-data'>" + snapshot + "</script>");
        out.println("<script src='" + attribute(pluginRoot) + "/res/loops.js'></script>");
    }

    private static void section(PrintWriter out, String id, String title, String buttons) {
        out.println("<h2>" + title + "</h2>");
        out.println("<table class='nicetable' id='loopkit-" + id + "'><thead></thead><tbody></tbody></table>");
        out.println("<p id='loopkit-" + id + "-summary'></p>");
        if (!buttons.isEmpty()) {
            out.println("<p>" + buttons + "</p>");
        }
    }

    private static String attribute(String text) {
        return text.replace("&", "&amp;").replace("'", "&#39;").replace("\"", "&quot;").replace("<", "&lt;");
    }
}
