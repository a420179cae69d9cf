package dev.loopkit.webconsole;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Set;
import org.osgi.service.component.annotations.Component;

/**
 * Refuses, on every page of the Felix Web Console, a change (any method but GET, HEAD, OPTIONS) that a
 * browser says comes from another site ({@code Origin}). The console's own pages (bundles,
 * configuration, ...) carry no token of their own, and a browser logged in by HTTP Basic sends the
 * credentials with whatever request another site's page makes: without this, that page could install
 * a bundle or change {@code dev.loopkit.policy}. Browsers send {@code Origin} with every cross-site
 * POST; a request without one did not come from another site's page.
 */
@Component(service = Filter.class, property = {
    "osgi.http.whiteboard.filter.pattern=/*",
    "osgi.http.whiteboard.context.select=(osgi.http.whiteboard.context.name=org.apache.felix.webconsole)"})
public final class CrossSiteFilter implements Filter {

    private static final Set<String> READS = Set.of("GET", "HEAD", "OPTIONS");

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain) throws IOException, ServletException {
        if (request instanceof HttpServletRequest http && response instanceof HttpServletResponse answer
                && !READS.contains(http.getMethod())) {
            String refusal = RequestGuard.crossSite(http.getHeader("Origin"), RequestGuard.ownOrigin(http));
            if (refusal != null) {
                answer.sendError(HttpServletResponse.SC_FORBIDDEN, refusal);
                return;
            }
        }
        chain.doFilter(request, response);
    }
}
